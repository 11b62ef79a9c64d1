// What proxy authentication tells about a route, from its probes: the scheme it answered with, the NTLM-only
// warning, and the one finding a route gets when it needs Negotiate and the kerberos package is missing.
import type { AuthOutcome, AuthScheme } from '../net/auth/scheme.js';
import { KERBEROS_MISSING_REMEDY, loadKerberos } from '../net/auth/negotiate.js';
import type { Route } from '../plan/plan.js';
import type { Finding } from '../finding.js';
import { ntlmOnlyFinding } from './classify.js';

interface AuthFields {
  authScheme?: AuthScheme;
  authLegs?: number;
  proxyAuthSchemes?: string[];
  findings?: Finding[];
}

/** The scheme and legs the proxy was answered with, and the NTLM-only warning, onto a probe's result. */
export function recordAuth(result: AuthFields, progress: { auth?: AuthOutcome }, proxy: string): void {
  const auth = progress.auth;
  if (!auth?.scheme) return;
  result.authScheme = auth.scheme;
  result.authLegs = auth.legs;
  const warning = ntlmOnlyFinding(auth.offered, auth.scheme, proxy);
  if (warning) result.findings = [...(result.findings ?? []), warning];
}

/** For `check`: the scheme a route's probes used, and its route-level findings (each at most once). */
export async function routeAuthSummary(route: Route, results: readonly (AuthFields & { route: string })[]): Promise<{ authScheme: AuthScheme | null; findings: Finding[] }> {
  const mine = results.filter((r) => r.route === route.name);
  const authScheme = mine.find((r) => r.authScheme)?.authScheme ?? null;
  const findings: Finding[] = [];
  const ntlmOnly = mine.flatMap((r) => r.findings ?? []).find((f) => f.code === 'proxy_ntlm_only');
  if (ntlmOnly) findings.push(ntlmOnly);
  const negotiate = route.authenticator?.clients.some((c) => c.scheme === 'Negotiate');
  const needsNegotiate = route.authenticator?.configured === 'negotiate' || mine.some((r) => r.proxyAuthSchemes?.includes('Negotiate'));
  if (negotiate && needsNegotiate && !(await loadKerberos())) {
    findings.push({
      code: 'kerberos_missing',
      severity: 'error',
      message: `Route ${route.name} answers its proxy with Negotiate (Kerberos), and the optional package kerberos is not installed (or its addon did not build), so it cannot.`,
      remedy: KERBEROS_MISSING_REMEDY,
    });
  }
  return { authScheme, findings };
}
