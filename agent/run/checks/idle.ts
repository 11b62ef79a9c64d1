// The proxy idle timeout, last of the network checks: it takes minutes, so `check` runs it only with --idle.
import { idleTargets, measureIdle } from '../../probes/idle/probe.js';
import type { Check } from './check.js';

export const idleCheck: Check = {
  name: 'idle',
  title: 'idle',
  async run(ctx) {
    const check = 'idle';
    if (!ctx.options.idle) return { check, ok: false, summary: 'not run here: measuring the proxy idle timeout takes minutes; run `entra-connect-monitor check --idle`' };
    const { plan } = ctx;
    const { holdSeconds, requiredSeconds } = plan.config.idle;
    const targets = idleTargets(plan).filter(({ route }) => !ctx.unreachable.has(route.name));
    const idle = await Promise.all(targets.map(({ route, endpoint }) => measureIdle(route, endpoint, plan.settings, { holdSeconds, requiredSeconds, onProgress: ctx.options.onIdleProgress })));
    ctx.outcome.idle = idle;
    return {
      check,
      ok: idle.every((i) => i.verdict !== 'fail'),
      summary: idle.length === 0 ? 'no route goes through a reachable proxy, so there is no idle timeout to measure' : idle.map((i) => `${i.route}: ${i.verdict}${i.closeSeconds !== undefined ? ` (closed after ${i.closeSeconds.toFixed(1)} s)` : ''}`).join('; '),
    };
  },
};
