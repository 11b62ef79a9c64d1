// Sign-in discovery over every route: user realm, tenant and federation, as the wizard's sign-in begins.
import { discoverSignIn } from '../../probes/signin/probe.js';
import type { Check } from './check.js';

export const signInCheck: Check = {
  name: 'signin_discovery',
  title: 'sign-in discovery',
  async run(ctx) {
    const check = 'signin_discovery';
    const tenant = ctx.tenant;
    if (!tenant) return { check, ok: false, summary: 'not run: no tenant configured; set tenant.domain in the configuration, or run `entra-connect-monitor check --tenant DOMAIN`' };
    const { plan } = ctx;
    const results = await Promise.all(plan.routes.map((route) => discoverSignIn(route, plan.config.cloud, tenant, plan.settings)));
    ctx.outcome.signIn = results;
    const ok = results.every((r) => r.findings.every((f) => f.severity !== 'error'));
    const summary = results
      .map((r) => `${r.domain} via ${r.route}: ${r.findings.length > 0 ? r.findings.map((f) => f.code).join(', ') : `${r.namespaceType ?? 'answered'}${r.tenantFound ? ', tenant found' : ''}`}`)
      .join('; ');
    return { check, ok, summary };
  },
};
