// Sign-in discovery in the `check` report: the JSON `signIn` array and the plain-words section of the table form.
import type { SignInResult } from '../probes/signin/result.js';

export function signInJson(results: readonly SignInResult[]): unknown[] {
  return results.map((r) => ({
    route: r.route,
    domain: r.domain,
    cloud: r.cloud,
    loginHost: r.loginHost,
    success: r.success,
    namespaceType: r.namespaceType ?? null,
    cloudInstanceName: r.cloudInstanceName ?? null,
    tenantId: r.tenantId ?? null,
    tenantFound: r.tenantFound ?? null,
    tenantRegionScope: r.tenantRegionScope ?? null,
    authUrl: r.authUrl ?? null,
    federationProtocol: r.federationProtocol ?? null,
    ...(r.knownInCloud ? { knownInCloud: r.knownInCloud } : {}),
    durationSeconds: r.durationSeconds,
    steps: r.steps.map((s) => ({
      step: s.step,
      url: s.url,
      via: s.via,
      answered: s.answered,
      httpStatus: s.httpStatus ?? null,
      proxyStatus: s.proxyStatus ?? null,
      durationSeconds: s.durationSeconds,
      reason: s.reason ?? null,
      detail: s.detail ?? null,
    })),
    findings: r.findings,
  }));
}

/** One line on what discovery learnt about the domain. */
export function describeSignIn(r: SignInResult): string {
  if (!r.success && r.tenantFound === undefined) return `the login service ${r.loginHost} did not answer the discovery`;
  const parts: string[] = [];
  if (r.findings.some((f) => f.code === 'microsoft_account')) parts.push('a Microsoft account (consumer) domain');
  else if (r.namespaceType) {
    const ns = r.namespaceType.toLowerCase();
    parts.push(ns === 'managed' ? 'a managed domain (passwords are checked by Microsoft Entra ID)' : ns === 'federated' ? `a federated domain (sign-in goes to ${r.authUrl ? hostOf(r.authUrl) : 'an identity provider'}${r.federationProtocol ? `, ${r.federationProtocol}` : ''})` : ns === 'unknown' ? `unknown to the ${r.cloud} cloud` : `of type ${r.namespaceType}`);
  }
  if (r.cloudInstanceName) parts.push(`cloud instance ${r.cloudInstanceName}`);
  if (r.tenantFound === true) parts.push(`tenant found${r.tenantId ? ` (tenant id ${r.tenantId})` : ''}`);
  if (r.tenantFound === false) parts.push('tenant not found');
  return parts.join('; ');
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function signInText(results: readonly SignInResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const errors = r.findings.filter((f) => f.severity === 'error').length;
    out.push('', `Sign-in discovery for ${r.domain}, route ${r.route}, on ${r.loginHost}: ${errors > 0 ? 'FAIL' : 'OK'}`);
    out.push(`  ${describeSignIn(r)}`);
    out.push(`  steps: ${r.steps.map((s) => `${s.step} ${s.answered ? (s.httpStatus ?? '') : s.reason} ${(s.durationSeconds * 1000).toFixed(0)} ms`).join(', ')}`);
    for (const f of r.findings) {
      out.push(`  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`);
      out.push(`    What to do: ${f.remedy}`);
    }
  }
  if (results.length > 0) {
    const errors = results.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'error').length, 0);
    out.push('', `Sign-in discovery over ${results.length} route${results.length === 1 ? '' : 's'}: ${errors === 0 ? 'no problems' : `${errors} error finding${errors === 1 ? '' : 's'}`}.`);
  }
  return out;
}

/** Discovery passes when no finding is an error. */
export function signInPassed(results: readonly SignInResult[]): boolean {
  return results.every((r) => r.findings.every((f) => f.severity !== 'error'));
}
