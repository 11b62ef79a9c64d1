// The one result shape every probe kind returns (http, idle tunnel, sign-in discovery).
// Data flows one way: probes produce ProbeResults; metrics, logs, the status page and `check` only read them.
import type { FailureReason } from './probes/classify.js';
import type { TlsFacts } from './net/types.js';
export type { TlsFacts } from './net/types.js';

export const PHASES = ['dns', 'connect', 'proxy_connect', 'tls', 'request', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

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

/** One tunnel of an idle-timeout cycle: held silent for holdSeconds, then asked a real request. */
export interface IdleHold {
  holdSeconds: number;
  survived: boolean;
  /** The proxy closed the tunnel (FIN or RST) while it was silent, after this many seconds. */
  closedAfterSeconds?: number;
  /** The tunnel stayed open but the request after the hold got no answer (or a reset): the proxy dropped it silently. */
  silentDrop?: boolean;
  /** The endpoint's status in the answer after the hold, when one came. */
  httpStatus?: number;
  detail?: string;
}

/** The result of one idle-timeout cycle over one proxy route. */
export interface IdleResult {
  kind: 'idle';
  route: string;
  endpoint: string;
  url: string;
  startedAt: number;
  durationSeconds: number;
  requiredSeconds: number;
  minimumSeconds: number;
  /**
   * pass: a tunnel held silent longer than requiredSeconds still answered; warn: none did, but one held longer than
   * minimumSeconds did (the article's 5 minutes met, the prerequisites' 6 not); fail: neither; error: the cycle could not run.
   */
  verdict: 'pass' | 'warn' | 'fail' | 'error';
  /** The shortest silence after which the proxy was seen closing a tunnel (its idle timeout, measured). */
  closeSeconds?: number;
  silentDrop: boolean;
  holds: IdleHold[];
  reason?: FailureReason;
  detail?: string;
  remedy?: string;
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
    ...(r.tls ? { tls: r.tls } : {}),
    ...(r.timingDisturbed ? { timingDisturbed: true } : {}),
  };
}

/** The steps of sign-in discovery, a closed set (the `step` label of entra_connect_signin_step_duration_seconds). */
export const SIGNIN_STEPS = ['realm', 'tenant', 'federation', 'other_cloud'] as const;
export type SignInStep = (typeof SIGNIN_STEPS)[number];

/** One request of sign-in discovery: which URL over which path, how long, and how it ended. */
export interface SignInStepResult {
  step: SignInStep;
  url: string;
  via: 'proxy' | 'direct';
  /** The request got an HTTP answer (whatever it said). */
  answered: boolean;
  durationSeconds: number;
  phases: Partial<Record<Phase, number>>;
  httpStatus?: number;
  proxyStatus?: number;
  reason?: FailureReason;
  detail?: string;
}

/** Sign-in discovery for one tenant domain over one route: user realm, tenant, and the federated identity provider. */
export interface SignInResult {
  kind: 'signin';
  route: string;
  /** The domain asked about (from a user principal name, its domain part), or a tenant id. */
  domain: string;
  cloud: string;
  /** The login host that answered the user realm request (or the first one tried). */
  loginHost: string;
  startedAt: number;
  durationSeconds: number;
  /** The login service was reached and answered the user realm request with the expected JSON. */
  success: boolean;
  /** As the login service wrote it (Managed, Federated, Unknown), printable and short. */
  namespaceType?: string;
  cloudInstanceName?: string;
  tenantId?: string;
  /** true: the tenant's OpenID configuration exists; false: AADSTS90002; absent: not known. */
  tenantFound?: boolean;
  tenantRegionScope?: string;
  authUrl?: string;
  federationProtocol?: string;
  /** For wrong_cloud: the cloud whose login service knows the domain. */
  knownInCloud?: string;
  steps: SignInStepResult[];
  findings: Finding[];
}
