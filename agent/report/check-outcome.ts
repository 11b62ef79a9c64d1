// What one pass of `check` found, as the reports (text and JSON) read it: the server's own findings, each route's
// proxy and machine.config, every probe's result, and how each endpoint fared direct and through the proxy.
import type { Finding } from '../finding.js';
import type { HostCheck } from '../host/check.js';
import type { RouteKind } from '../plan/plan.js';
import type { ProbeResult } from '../probes/http/result.js';
import type { IdleResult } from '../probes/idle/result.js';
import type { RevocationResult } from '../probes/revocation/result.js';
import type { SignInResult } from '../probes/signin/result.js';

export interface RouteCheck {
  route: string;
  /** How the route finds its proxy (direct, proxy, machine_config, winhttp). */
  kind: RouteKind;
  proxy: string | null;
  /** The route this route's revocation checks (CRL, OCSP) take. */
  revocation: string;
  /** all, or revocation: only the revocation checks other routes send it. */
  carries: 'all' | 'revocation';
  /** null for a route without a proxy. */
  proxyReachable: boolean | null;
  /** The scheme the route's probes answered the proxy with (Negotiate, NTLM, Basic); null when none was asked. */
  authScheme: string | null;
  findings: Finding[];
  machineConfig?: { path: string; proxyAddress: string | null; findings: Finding[] };
}

export type Situation = 'proxy_only' | 'direct_only' | 'both' | 'neither';

export interface EndpointSituation {
  endpoint: string;
  situation: Situation;
  message: string;
}

export interface CheckOutcome {
  /** The Entra Connect server's own facts and findings (Windows version, sync version, .NET, TLS 1.2, WinHTTP). */
  host?: HostCheck;
  routes: RouteCheck[];
  results: ProbeResult[];
  situations: EndpointSituation[];
  /** The revocation fetches of the served chains' CRL and OCSP URLs. */
  revocation?: RevocationResult[];
  idle?: IdleResult[];
  /** Sign-in discovery, when a tenant domain is given. */
  signIn?: SignInResult[];
}
