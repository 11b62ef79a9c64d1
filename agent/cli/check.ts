// The `check` verb: every check once, in the article's order, as a table or JSON.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { parseTenantValue } from '../config/values.js';
import { InputError } from '../errors.js';
import { buildPlan } from '../plan/plan.js';
import { checkJson, checkText } from '../report/check-report.js';
import { checkPassed, runCheck } from '../run/checks/registry.js';

export async function runCheckCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, idle: { type: 'boolean', default: false }, tenant: { type: 'string' } },
    strict: true,
  });
  const plan = buildPlan(loadConfig(values.config));
  const tenant = values.tenant ?? plan.config.tenant.domain;
  if (values.tenant !== undefined) {
    const parsed = parseTenantValue(values.tenant);
    if ('error' in parsed) throw new InputError('--tenant', '', parsed.error);
  }
  const { holdSeconds } = plan.config.idle;
  const outcome = await runCheck(plan, {
    idle: values.idle,
    tenant,
    onStep: (check) => {
      if (values.json) return;
      if (check === 'idle') err.write(`Measuring the proxy idle timeout: tunnels held silent for ${holdSeconds.join(', ')} s (this takes up to ${Math.max(...holdSeconds)} s)...\n`);
    },
    onIdleProgress: (e) => {
      if (values.json || e.state === 'open') return;
      const what = { closed: `closed by the proxy after ${e.elapsedSeconds.toFixed(1)} s of silence`, answered: 'answered after its hold', dropped: 'silently dropped (no answer after its hold)', failed: 'failed' }[e.state];
      err.write(`  ${e.route}: tunnel held ${e.holdSeconds} s ${what}\n`);
    },
  });
  if (values.idle && (outcome.idle ?? []).length === 0) err.write('entra-connect-monitor: --idle: no route goes through a reachable proxy, so there is no idle timeout to measure\n');
  out.write(values.json ? `${JSON.stringify(checkJson(outcome), null, 2)}\n` : checkText(outcome));
  return checkPassed(outcome) ? 0 : 1;
}
