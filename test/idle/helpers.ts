// Shared pieces of the idle-tunnel tests: a plan over the lab, and waiting for progress events instead of sleeping.
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan, type Plan } from '../../agent/plan/plan.js';
import { idleTargets, type IdleProgress } from '../../agent/probes/idle/probe.js';
import type { Lab } from '../lab/lab.js';

export function planFor(lab: Lab, config: Record<string, unknown>): Plan {
  return buildPlan(parseConfig(stringify({ tls: lab.tls, ...config }), 'test.yaml', {}), {});
}

/** The plan's only idle target: the export endpoint over a route through `proxyPort`. */
export function proxiedTarget(lab: Lab, proxyPort: number, config: Record<string, unknown> = {}) {
  const plan = planFor(lab, { probes: { timeoutSeconds: 3 }, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${proxyPort}` }], ...config });
  const [target] = idleTargets(plan);
  if (!target) throw new Error('no idle target');
  return { plan, ...target };
}

/** Collects progress events and resolves waits on them, each bounded. */
export function progressLog() {
  const events: IdleProgress[] = [];
  const waiters: Array<() => void> = [];
  return {
    events,
    onProgress(event: IdleProgress) {
      events.push(event);
      for (const wake of waiters.splice(0)) wake();
    },
    async until(check: (events: IdleProgress[]) => boolean, withinMs: number, what: string): Promise<void> {
      const deadline = Date.now() + withinMs;
      while (!check(events)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}
