// Certificate revocation as Windows checks it: the CRL and OCSP URLs of the chains the endpoints served (read from
// the results of the checks before it), fetched over each route's revocation route.
import { revocationProbe } from '../../probes/revocation/index.js';
import { revocationTargets } from '../../probes/revocation/targets.js';
import { runTargets } from '../runner.js';
import type { Check } from './check.js';
import type { CheckContext, Verdict } from './context.js';
import { endpointsCheck } from './endpoints.js';

export const revocationCheck: Check = {
  name: 'revocation',
  title: 'certificate revocation (CRL, OCSP) of the served chains',
  async run(ctx: CheckContext): Promise<Verdict> {
    const { plan } = ctx;
    // Run by name (explain --run), nothing was probed yet: the chains come from probing the endpoints first.
    if (ctx.history.latest('http').length === 0) await endpointsCheck.run(ctx);
    const targets = revocationTargets(plan, ctx.history).filter((t) => !(t.via === 'proxy' && ctx.unreachable.has(t.route.name)));
    const results = await runTargets(revocationProbe, plan, targets, { concurrency: revocationProbe.concurrency(plan), onResult: (r) => ctx.history.add(r) });
    ctx.outcome.revocation = results;
    if (results.length === 0) return { check: 'revocation', ok: true, summary: 'no served chain named a CRL or OCSP URL' };
    const failed = results.filter((r) => !r.success);
    const uncovered = results.filter((r) => r.endpoint === null).length;
    const summary =
      failed.length === 0
        ? `${results.length} revocation URL${results.length === 1 ? '' : 's'} answered${uncovered ? ` (${uncovered} on hosts no catalogue row covers)` : ''}`
        : failed.slice(0, 4).map((r) => `${r.url} via ${r.route}: ${r.reason}`).join('; ');
    return { check: 'revocation', ok: results.every((r) => r.success || !r.required), summary };
  },
};
