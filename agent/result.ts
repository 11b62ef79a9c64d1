// The one result shape every probe kind returns (http, idle tunnel, sign-in discovery).
// Data flows one way: probes produce ProbeResults; metrics, logs, the status page and `check` only read them.
import type { FailureReason } from './classify.js';

export const PHASES = ['dns', 'connect', 'proxy_connect', 'tls', 'request', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

export interface TlsFacts {
  version: string; // e.g. TLSv1.3
  cipher: string;
  subject: string; // CN of the leaf certificate
  issuer: string; // CN (or O) of the leaf's issuer
  validToSeconds: number; // leaf notAfter, Unix seconds
  earliestExpirySeconds: number; // the soonest notAfter in the chain the server sent
}

export interface ProbeResult {
  kind: 'http' | 'idle' | 'signin';
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
  /** Set when event-loop lag during the probe was high enough to inflate its timings. */
  timingDisturbed?: boolean;
  required: boolean;
}

/** A diagnosis that is not one probe's failure (machine.config, sign-in discovery, proxy logs). */
export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  remedy: string;
}
