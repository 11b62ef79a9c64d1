// The probes of the article's order: the connectivity test URL first (adminwebservice, the article's
// Invoke-WebRequest), then every other endpoint; and `endpoint:<id>` for one of them.
import { CONNECTIVITY_TEST_ENDPOINT } from '../../config/catalogue.js';
import type { ProbeTarget } from '../../plan/plan.js';
import type { ProbeResult } from '../../probes/http/result.js';
import { runProbes } from '../runner.js';
import type { Check } from './check.js';
import type { CheckContext, Verdict } from './context.js';
import type { CheckName } from './names.js';

function probeSummary(results: ProbeResult[]): string {
  const failed = results.filter((r) => !r.success);
  if (failed.length === 0) return `${results.length} probe${results.length === 1 ? '' : 's'} answered (${results.map((r) => `${r.endpoint} via ${r.route}`).slice(0, 4).join(', ')}${results.length > 4 ? ', ...' : ''})`;
  return failed
    .slice(0, 4)
    .map((r) => `${r.endpoint} via ${r.route}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}`)
    .join('; ')
    .concat(failed.length > 4 ? `; and ${failed.length - 4} more` : '');
}

/** Probes the targets the filter picks, except those behind an unreachable proxy and those probed already. */
function probesCheck(name: CheckName, title: string, pick: (t: ProbeTarget) => boolean, what: string): Check {
  return {
    name,
    title,
    async run(ctx: CheckContext): Promise<Verdict> {
      const { plan } = ctx;
      const picked = plan.targets.filter(pick);
      if (picked.length === 0) return { check: name, ok: false, summary: `${what} is not in the plan (excluded or unknown in the ${plan.config.cloud} catalogue)` };
      const done = new Set(ctx.history.latest('http').map((r) => `${r.endpoint}\u0000${r.route}`));
      const runnable = picked.filter((t) => !(t.via === 'proxy' && ctx.unreachable.has(t.route.name)) && !done.has(`${t.endpoint.id}\u0000${t.route.name}`));
      const results = await runProbes(plan, runnable, { concurrency: plan.config.probes.concurrency, onResult: (r) => ctx.history.add(r) });
      return { check: name, ok: results.every((r) => r.success || !r.required), summary: probeSummary(results) };
    },
  };
}

export const connectivityTestCheck = probesCheck('connectivity_test', 'connectivity test', (t) => t.endpoint.id === CONNECTIVITY_TEST_ENDPOINT, `the ${CONNECTIVITY_TEST_ENDPOINT} endpoint`);

export const endpointsCheck = probesCheck('endpoints', 'endpoints', () => true, 'no endpoint');

export function endpointCheck(id: string): Check {
  return probesCheck(`endpoint:${id}`, `endpoint ${id}`, (t) => t.endpoint.id === id, `the endpoint ${id}`);
}
