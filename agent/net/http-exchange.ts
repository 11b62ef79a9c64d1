// One HTTP/1.1 request (a GET; a POST for OCSP) over a connection the timed connector opens: through the proxy with
// CONNECT + TLS for HTTPS, as an absolute-form request to the proxy for plain HTTP, or straight. Every phase lands on the caller's clock, the
// caller's signal bounds it all, and the body is read up to a cap. The probes (http, sign-in) build on it and decide
// what the answer means; failures are thrown as NetErrors (or the socket's own errors) for the probe to classify.
import type { X509Certificate } from 'node:crypto';
import { markRequestBytes } from './byte-marks.js';
import { closeConnection, openConnection, reopenTransport, type Connection } from './connector.js';
import { withProxyAuth } from './auth/legs.js';
import type { AuthOutcome } from './auth/scheme.js';
import { readResponse, type HttpResponse } from './http-response.js';
import { MAX_PROXY_BODY_BYTES } from './proxy-connect.js';
import type { PhaseClock } from './phase-clock.js';
import type { NetSettings, ProxyHop, TlsFacts } from './types.js';

const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;
const USER_AGENT = 'entra-connect-monitor';

// The request phase is what DESIGN.md says: from the request going out to the first response byte. Both ends are
// taken where the bytes move (byte-marks.ts): when the write of the head has handed it to the kernel, and when the
// socket pushes the first response bytes; the building of the head and the parsing of the answer stay outside it.

export interface ExchangeRequest {
  url: URL;
  /** Through this proxy; undefined goes straight to the server. */
  hop?: ProxyHop;
  settings: NetSettings;
  clock: PhaseClock;
  signal: AbortSignal;
  /** Body bytes read before the exchange stops reading (the rest is not waited for). */
  maxBodyBytes: number;
  /** Keep the bytes read (sign-in discovery reads JSON); otherwise they are only counted. */
  keepBody?: boolean;
  accept?: string;
  /** GET unless told: an OCSP request is a POST of its DER body. */
  method?: 'GET' | 'POST';
  body?: { contentType: string; bytes: Buffer };
  /** What is known so far, for a caller whose exchange fails half-way: the proxy's CONNECT answer, TLS facts. */
  progress: ExchangeProgress;
}

export interface ExchangeProgress {
  proxyStatus?: number;
  tls?: TlsFacts;
  /** How the proxy was authenticated to (scheme, legs), when it asked. */
  auth?: AuthOutcome;
  /** The certificates the server sent, leaf first (read on demand: their revocation URLs). */
  peerCertificates?: () => X509Certificate[];
}

/** Header values as callers read them: lower-case names, one value as a string, several as a list. */
function headerRecord(headers: Map<string, string[]>): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, values] of headers) out[name] = values.length === 1 ? values[0] : values;
  return out;
}

function requestHead(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>): string {
  return `${method} ${path} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

export interface ExchangeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  truncated: boolean;
  /** The request went to the proxy in absolute form, so the answer may be the proxy's own. */
  absoluteForm: boolean;
}

export async function exchange(req: ExchangeRequest): Promise<ExchangeResponse> {
  const { url, hop, settings, clock, signal, progress } = req;
  const https = url.protocol === 'https:';
  const absoluteForm = hop !== undefined && !https;
  let connection: Connection | undefined;
  let requestSent = false;
  try {
    connection = await openConnection({
      host: url.hostname,
      port: url.port ? Number(url.port) : https ? 443 : 80,
      tls: https,
      proxy: hop,
      ca: settings.ca,
      resolve: settings.resolve,
      dnsServers: settings.dnsServers,
      tlsVersions: settings.tlsVersions,
      signal,
      clock,
      facts: progress,
    });
    if (connection.proxyAnswer) progress.proxyStatus = connection.proxyAnswer.status;
    if (connection.tls) progress.tls = connection.tls;
    if (connection.peerCertificates) progress.peerCertificates = connection.peerCertificates;

    const opened = connection;
    // Through a proxy that authenticates, the absolute-form GET answers its 407s on the same connection (kept
    // alive); a proxy that closes after a 407 gets the next leg on a new connection to it.
    const handshake = absoluteForm ? hop!.authenticator?.start(hop!.host) : undefined;
    if (handshake) progress.auth = handshake.outcome;
    const method = req.method ?? 'GET';
    const headers: Array<[string, string]> = [
      ['Host', url.host],
      ['User-Agent', USER_AGENT],
      ['Accept', req.accept ?? '*/*'],
    ];
    if (req.body) headers.push(['Content-Type', req.body.contentType], ['Content-Length', String(req.body.bytes.length)]);
    // Kept alive only for a handshake's legs; otherwise the connection is the one request's.
    const closeAsked = !handshake;
    if (closeAsked) headers.push(['Connection', 'close']);
    const path = absoluteForm ? url.href : `${url.pathname}${url.search}`;
    let firstByteAt: bigint | undefined;
    let reusable = true;
    let legs = 0;
    const { response } = await withProxyAuth(handshake, clock, 'request', async (authorization) => {
      if (legs++ > 0 && !reusable) await reopenTransport(opened, opened.remoteAddress!, hop!.port, signal);
      const socket = opened.socket;
      const head = requestHead(method, path, authorization ? [...headers, ['Proxy-Authorization', authorization]] : headers);
      let sentAt: bigint | undefined;
      firstByteAt = undefined;
      markRequestBytes(
        socket,
        (at) => {
          sentAt = at;
          if (!requestSent) {
            requestSent = true;
            clock.enter('request', at);
          }
        },
        (at) => (firstByteAt ??= at),
      );
      const answer = readResponse(socket, { maxHeadBytes: MAX_RESPONSE_HEADER_BYTES, maxBodyBytes: req.maxBodyBytes, keepBody: req.keepBody ?? false, method, closeAsked, signal });
      // One write, head and body: the mark stamps when all of the request is with the kernel.
      socket.write(req.body ? Buffer.concat([Buffer.from(head, 'latin1'), req.body.bytes]) : head);
      const response: HttpResponse = await answer;
      if (response.status === 407 && handshake) reusable = response.reusable && response.received <= MAX_PROXY_BODY_BYTES;
      return { status: response.status, proxyAuthenticate: response.headers.get('proxy-authenticate') ?? [], sentAt: sentAt ?? process.hrtime.bigint(), response };
    });
    if (!requestSent) {
      requestSent = true;
      clock.enter('request');
    }
    clock.enter('transfer', firstByteAt);
    clock.finish();
    return {
      status: response.status,
      headers: headerRecord(response.headers),
      body: req.keepBody ? response.body : Buffer.alloc(0),
      truncated: response.truncated,
      absoluteForm,
    };
  } catch (err) {
    // A failure after the connection was up but before the request went out still counts as the request's.
    if (connection && !requestSent) clock.enter('request');
    clock.finish();
    throw err;
  } finally {
    // Destroy rather than close: a capped or failed exchange must not wait for the rest of a body.
    closeConnection(connection);
  }
}
