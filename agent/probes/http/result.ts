// The result of one HTTP probe: one endpoint over one route, every phase timed.
import type { AuthScheme } from '../../net/auth/scheme.js';
import type { Phase, TlsFacts } from '../../net/types.js';
import type { ResultHeader } from '../probe.js';
import type { RevocationUrl } from '../revocation/urls.js';
import type { FailureReason } from '../classify.js';

export interface ProbeResult extends ResultHeader {
  kind: 'http';
  endpoint: string; // catalogue id
  route: string; // route name
  url: string;
  via: 'proxy' | 'direct';
  startedAt: number; // Unix ms
  success: boolean;
  durationSeconds: number;
  /** Seconds spent in each phase reached; phases not reached are absent. They sum to durationSeconds. */
  phases: Partial<Record<Phase, number>>;
  httpStatus?: number; // the endpoint's answer
  proxyStatus?: number; // the proxy's answer to CONNECT (or its own status to an absolute-form GET)
  reason?: FailureReason;
  /** One human line: what happened, with the proxy's own error text where it gave one. Never a secret. */
  detail?: string;
  remedy?: string;
  tls?: TlsFacts;
  /** Schemes a 407 offered in Proxy-Authenticate (Basic, NTLM, Negotiate, Digest). */
  proxyAuthSchemes?: string[];
  /** The scheme the agent answered the proxy with (Negotiate, NTLM, Basic), and how many times it answered. */
  authScheme?: AuthScheme;
  authLegs?: number;
  /** Set when event-loop lag during the probe was high enough to inflate its timings. */
  timingDisturbed?: boolean;
  /** The CRL and OCSP URLs the served chain names: what the revocation kind fetches as Windows would. */
  revocationUrls?: RevocationUrl[];
  required: boolean;
}

/** A result as `check --json`, /status and the status page show it: plain JSON, nulls for what did not happen. */
export function publicResult(r: ProbeResult) {
  return {
    endpoint: r.endpoint,
    route: r.route,
    url: r.url,
    via: r.via,
    required: r.required,
    success: r.success,
    reason: r.reason ?? null,
    httpStatus: r.httpStatus ?? null,
    proxyStatus: r.proxyStatus ?? null,
    phases: r.phases,
    durationSeconds: r.durationSeconds,
    detail: r.detail ?? null,
    remedy: r.remedy ?? null,
    startedAt: new Date(r.startedAt).toISOString(),
    ...(r.proxyAuthSchemes ? { proxyAuthSchemes: r.proxyAuthSchemes } : {}),
    ...(r.authScheme ? { authScheme: r.authScheme, authLegs: r.authLegs ?? 0 } : {}),
    ...(r.findings?.length ? { findings: r.findings } : {}),
    ...(r.tls ? { tls: r.tls } : {}),
    ...(r.timingDisturbed ? { timingDisturbed: true } : {}),
    ...(r.revocationUrls?.length ? { revocationUrls: r.revocationUrls.map(({ kind, url, certificate }) => ({ kind, url, certificate })) } : {}),
  };
}

