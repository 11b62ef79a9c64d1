// One revocation fetch as Windows makes it: a plain HTTP GET of a CRL, or an OCSP request POSTed to the responder,
// over the revocation route. The answer must be what was asked for: a DER CRL, or an OCSP response that is
// successful and names the certificate; a proxy's block page served with 200 is caught here.
import type { Endpoint } from '../../config/catalogue.js';
import type { ProbeSettings } from '../../plan/plan.js';
import { remedyFor } from '../classify.js';
import { probeHttp, type HttpAsk } from '../http/probe.js';
import { ocspRequest, readCrl, readOcspResponse, type CrlAnswer, type OcspAnswer } from './answers.js';
import { DerError } from './der.js';
import type { RevocationResult } from './result.js';
import type { RevocationTarget } from './targets.js';

/** A CRL larger than this is not read to the end (CAs' CRLs are kilobytes to a few megabytes). */
export const MAX_CRL_BYTES = 8 * 1024 * 1024;
const MAX_OCSP_BYTES = 64 * 1024;

function contentTypeOf(headers: Record<string, string | string[] | undefined>): string {
  const value = headers['content-type'];
  return (Array.isArray(value) ? value[0] : value)?.split(';')[0]?.trim().slice(0, 80) ?? 'no content type';
}

function askFor(target: RevocationTarget, answers: { crl?: CrlAnswer & { bytes: number }; ocsp?: OcspAnswer }): HttpAsk {
  if (target.type === 'crl') {
    return {
      method: 'GET',
      accept: 'application/pkix-crl, */*',
      maxBodyBytes: MAX_CRL_BYTES,
      read(response) {
        if (response.truncated) return undefined; // larger than we read: its head arrived, that is the path's answer
        try {
          answers.crl = { ...readCrl(response.body), bytes: response.body.length };
          return undefined;
        } catch (err) {
          if (!(err instanceof DerError)) throw err;
          return { reason: 'unexpected_body', detail: `${target.url} answered ${response.status} with ${response.body.length} bytes of ${contentTypeOf(response.headers)}, not a DER CRL (a proxy's block or sign-in page?)` };
        }
      },
    };
  }
  const certId = Buffer.from(target.certId ?? '', 'hex');
  return {
    method: 'POST',
    body: { contentType: 'application/ocsp-request', bytes: ocspRequest(certId) },
    accept: 'application/ocsp-response',
    maxBodyBytes: MAX_OCSP_BYTES,
    read(response) {
      try {
        const answer = readOcspResponse(response.body, certId);
        answers.ocsp = answer;
        if (answer.responseStatus !== 'successful') return { reason: 'unexpected_body', detail: `the OCSP responder ${target.url} answered "${answer.responseStatus}" instead of a status for ${target.certificate}` };
        if (answer.certStatus === 'revoked') return { reason: 'unexpected_body', detail: `the OCSP responder ${target.url} says ${target.certificate} is revoked` };
        return undefined;
      } catch (err) {
        if (!(err instanceof DerError)) throw err;
        return { reason: 'unexpected_body', detail: `${target.url} answered ${response.status} with ${response.body.length} bytes of ${contentTypeOf(response.headers)}, not an OCSP response (a proxy's block or sign-in page?)` };
      }
    },
  };
}

/** The endpoint a URL is fetched as: its catalogue row with the served URL, or the bare host when no row covers it. */
function endpointFor(target: RevocationTarget): Endpoint {
  const url = new URL(target.url);
  const row = target.endpoint;
  return {
    id: row?.id ?? url.hostname,
    pattern: row?.pattern ?? url.hostname,
    url: target.url,
    host: url.hostname,
    port: url.port ? Number(url.port) : 80,
    scheme: 'http',
    description: row?.description ?? 'Revocation URL named by a served certificate.',
    category: 'certificate',
    exports: false,
    required: row?.required ?? false,
    cloud: row?.cloud ?? 'custom',
  };
}

export async function probeRevocation(target: RevocationTarget, settings: ProbeSettings, signal?: AbortSignal): Promise<RevocationResult> {
  const answers: { crl?: CrlAnswer & { bytes: number }; ocsp?: OcspAnswer } = {};
  const endpoint = endpointFor(target);
  const http = await probeHttp({ endpoint, route: target.route, via: target.via, expectedStatus: [200] }, settings, signal, askFor(target, answers));
  const result: RevocationResult = {
    kind: 'revocation',
    target: target.url,
    url: target.url,
    endpoint: target.endpoint?.id ?? null,
    type: target.type,
    route: target.route.name,
    servedOver: target.servedOver,
    certificate: target.certificate,
    via: target.via,
    startedAt: http.startedAt,
    success: http.success,
    durationSeconds: http.durationSeconds,
    phases: http.phases,
    required: endpoint.required,
    ...(http.httpStatus !== undefined ? { httpStatus: http.httpStatus } : {}),
    ...(http.proxyStatus !== undefined ? { proxyStatus: http.proxyStatus } : {}),
    ...(http.reason ? { reason: http.reason, detail: http.detail, remedy: http.remedy ?? remedyFor(http.reason) } : {}),
    ...(answers.crl ? { crl: answers.crl } : {}),
    ...(answers.ocsp ? { ocsp: answers.ocsp } : {}),
    ...(http.timingDisturbed ? { timingDisturbed: true } : {}),
    ...(target.finding ? { findings: [target.finding] } : {}),
  };
  return result;
}
