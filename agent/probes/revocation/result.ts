// The result of one revocation fetch: one CRL or OCSP URL that a served chain names, over the revocation route.
import type { Phase } from '../../net/types.js';
import type { FailureReason } from '../classify.js';
import type { ResultHeader } from '../probe.js';
import type { CrlAnswer, OcspAnswer } from './answers.js';
import type { RevocationFinding, RevocationKind } from './urls.js';

export interface RevocationResult extends ResultHeader {
  kind: 'revocation';
  /** The URL fetched: what the history keeps apart. */
  target: string;
  url: string;
  /** The catalogue row whose pattern covers the URL's host (the series' label); null when none does. */
  endpoint: string | null;
  type: RevocationKind;
  /** The revocation route, as CryptoAPI would take it (WinHTTP's, unless the route says `revocation: self`). */
  route: string;
  /** The routes whose probes were served the chain that names the URL. */
  servedOver: string[];
  /** The certificate that named the URL (remote text). */
  certificate: string;
  via: 'proxy' | 'direct';
  phases: Partial<Record<Phase, number>>;
  httpStatus?: number;
  proxyStatus?: number;
  reason?: FailureReason;
  detail?: string;
  remedy?: string;
  crl?: CrlAnswer & { bytes: number };
  ocsp?: OcspAnswer;
  timingDisturbed?: boolean;
  /** A URL under no catalogue row carries the finding that says so. */
  findings?: RevocationFinding[];
  required: boolean;
}

/** A revocation result as `check --json`, /status and the status page show it. */
export function publicRevocationResult(r: RevocationResult) {
  return {
    endpoint: r.endpoint,
    type: r.type,
    url: r.url,
    route: r.route,
    servedOver: r.servedOver,
    certificate: r.certificate,
    via: r.via,
    success: r.success,
    reason: r.reason ?? null,
    httpStatus: r.httpStatus ?? null,
    proxyStatus: r.proxyStatus ?? null,
    phases: r.phases,
    durationSeconds: r.durationSeconds,
    detail: r.detail ?? null,
    remedy: r.remedy ?? null,
    startedAt: new Date(r.startedAt).toISOString(),
    ...(r.crl ? { crl: r.crl } : {}),
    ...(r.ocsp ? { ocsp: r.ocsp } : {}),
    ...(r.findings?.length ? { findings: r.findings } : {}),
    ...(r.timingDisturbed ? { timingDisturbed: true } : {}),
  };
}
