// The idle kind: one cycle per proxy route that carries the export endpoint, on idle.schedule, all routes at once
// (a cycle is mostly silence: holds × routes sockets, no polling).
import type { IdleResult } from './result.js';
import type { Endpoint } from '../../config/catalogue.js';
import type { Route } from '../../plan/plan.js';
import type { Probe } from '../probe.js';
import { recordIdle, prepareIdleSeries } from './record.js';
import { idleTargets, measureIdle } from './probe.js';


export const idleProbe: Probe<{ route: Route; endpoint: Endpoint }, IdleResult> = {
  kind: 'idle',
  schedule: (plan) => (plan.config.idle.enabled && idleTargets(plan).length > 0 ? plan.config.idle.schedule : undefined),
  targets: idleTargets,
  concurrency: (plan) => Math.max(1, plan.routes.length),
  run: ({ route, endpoint }, ctx) => {
    const { holdSeconds, requiredSeconds } = ctx.plan.config.idle;
    return measureIdle(route, endpoint, ctx.plan.settings, { holdSeconds, requiredSeconds }, ctx.signal);
  },
  record: recordIdle,
  prepare: prepareIdleSeries,
  log(logger, r) {
    const fields = { route: r.route, endpoint: r.endpoint, verdict: r.verdict, closeSeconds: r.closeSeconds, silentDrop: r.silentDrop, requiredSeconds: r.requiredSeconds, holds: r.holds.map((h) => ({ holdSeconds: h.holdSeconds, survived: h.survived })) };
    if (r.verdict === 'pass') logger.info(fields, 'idle tunnel check passed');
    else logger.warn({ ...fields, reason: r.reason, detail: r.detail, remedy: r.remedy }, 'idle tunnel check failed');
  },
};
