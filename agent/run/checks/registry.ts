// Every check, in the article's order: the server itself, machine.config, the proxy itself, the connectivity test URL, every other
// endpoint, the revocation URLs their certificates name, the idle timeout, sign-in discovery. `check` runs them all over one context; `explain --run` runs the
// ones an entry names, each over a fresh one. A new check is a file here plus one line in CHECKS.
import type { Plan } from '../../plan/plan.js';
import { signInPassed } from '../../report/signin-report.js';
import type { Check } from './check.js';
import type { CheckOutcome } from '../../report/check-outcome.js';
import { CheckContext, type CheckOptions, type Verdict } from './context.js';
import { connectivityTestCheck, endpointCheck, endpointsCheck } from './endpoints.js';
import { idleCheck } from './idle.js';
import { hostFactsCheck } from './host.js';
import { machineConfigCheck } from './machine-config.js';
import type { CheckName } from './names.js';
import { proxyReachableCheck } from './proxy-reachable.js';
import { revocationCheck } from './revocation.js';
import { signInCheck } from './signin.js';
import { compareDirectAndProxy } from './situations.js';
import { routeAuthSummary } from '../../probes/proxy-auth.js';

export const CHECKS: readonly Check[] = [hostFactsCheck, machineConfigCheck, proxyReachableCheck, connectivityTestCheck, endpointsCheck, revocationCheck, idleCheck, signInCheck];

function checkFor(name: CheckName): Check | undefined {
  const id = /^endpoint:(.+)$/.exec(name)?.[1];
  return id ? endpointCheck(id) : CHECKS.find((c) => c.name === name);
}

/** `check`: every check once, in the article's order. */
export async function runCheck(plan: Plan, options: CheckOptions = {}): Promise<CheckOutcome> {
  const ctx = new CheckContext(plan, options);
  for (const check of CHECKS) {
    if (check === idleCheck && !options.idle) continue;
    if (check === signInCheck && !ctx.tenant) continue;
    options.onStep?.(check.name, check.title);
    await check.run(ctx);
  }
  ctx.outcome.results = ctx.history.latest('http');
  ctx.outcome.situations = compareDirectAndProxy(ctx.outcome.results);
  for (const route of plan.routes) {
    const auth = await routeAuthSummary(route, ctx.outcome.results);
    const routeCheck = ctx.routeCheck(route.name);
    routeCheck.authScheme = auth.authScheme;
    routeCheck.findings.push(...auth.findings);
  }
  return ctx.outcome;
}

/** `explain --run`: one verdict per named check, each over a fresh context; an unknown name fails saying so. */
export async function runNamedChecks(plan: Plan, names: string[]): Promise<Verdict[]> {
  return Promise.all(
    names.map(async (name): Promise<Verdict> => {
      const check = checkFor(name as CheckName);
      if (!check) return { check: name, ok: false, summary: `unknown check "${name}"` };
      try {
        return await check.run(new CheckContext(plan));
      } catch (err) {
        return { check: name, ok: false, summary: `could not run: ${(err as Error).message.split('\n')[0]}` };
      }
    }),
  );
}

export function checkPassed(outcome: CheckOutcome): boolean {
  return (
    (outcome.host?.findings ?? []).every((f) => f.severity !== 'error') &&
    outcome.results.every((r) => r.success || !r.required) &&
    (outcome.revocation ?? []).every((r) => r.success || !r.required) &&
    outcome.routes.every((r) => r.findings.every((f) => f.severity !== 'error')) &&
    (outcome.idle ?? []).every((i) => i.verdict !== 'fail') &&
    signInPassed(outcome.signIn ?? [])
  );
}
