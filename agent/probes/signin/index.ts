// The signin kind: discovery of tenant.domain over every route, on tenant.schedule, only when a domain is set.
import type { SignInResult } from './result.js';
import { parseTenantValue } from '../../config/values.js';
import { probeRoutes, type Plan, type Route } from '../../plan/plan.js';
import type { Probe } from '../probe.js';
import { recordSignIn } from './record.js';
import { discoverSignIn } from './probe.js';

/** The domain a plan discovers, as its results name it; undefined without a valid tenant.domain. */
function discoveredDomain(plan: Plan): string | undefined {
  const tenant = plan.config.tenant.domain ? parseTenantValue(plan.config.tenant.domain) : undefined;
  return tenant && !('error' in tenant) ? tenant.domain : undefined;
}

export const signInProbe: Probe<Route, SignInResult> = {
  kind: 'signin',
  runAtStart: true,
  schedule: (plan) => (plan.config.tenant.domain ? plan.config.tenant.schedule : undefined),
  targets: (plan) => (plan.config.tenant.domain ? probeRoutes(plan.routes) : []),
  concurrency: (plan) => Math.max(1, plan.routes.length),
  run: (route, ctx) => discoverSignIn(route, ctx.plan.config.cloud, ctx.plan.config.tenant.domain!, ctx.plan.settings, ctx.signal),
  stillCurrent: (result, plan) => result.target === discoveredDomain(plan),
  record: recordSignIn,
  log(logger, r) {
    const fields = { route: r.route, domain: r.domain, loginHost: r.loginHost, namespaceType: r.namespaceType, tenantFound: r.tenantFound, durationSeconds: r.durationSeconds };
    if (r.findings.length === 0) logger.info(fields, 'sign-in discovery ok');
    else logger.warn({ ...fields, findings: r.findings }, 'sign-in discovery found problems');
  },
};
