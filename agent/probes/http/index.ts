// The http kind: every endpoint × route of the plan, on probes.schedule, probes.concurrency at a time.
import type { ProbeResult } from './result.js';
import type { ProbeTarget } from '../../plan/plan.js';
import type { Probe } from '../probe.js';
import { recordHttp, prepareHttpSeries } from './record.js';
import { probeHttp } from './probe.js';


export const httpProbe: Probe<ProbeTarget, ProbeResult> = {
  kind: 'http',
  gatesReadiness: true,
  runAtStart: true,
  schedule: (plan) => plan.config.probes.schedule,
  targets: (plan) => plan.targets,
  concurrency: (plan) => plan.config.probes.concurrency,
  run: (target, ctx) => probeHttp(target, ctx.plan.settings, ctx.signal),
  record: recordHttp,
  prepare: prepareHttpSeries,
  log(logger, result) {
    const fields = { endpoint: result.endpoint, route: result.route, url: result.url, via: result.via, durationSeconds: result.durationSeconds, ...(result.timingDisturbed ? { timingDisturbed: true } : {}) };
    if (result.success) {
      logger.debug({ ...fields, httpStatus: result.httpStatus, proxyStatus: result.proxyStatus, phases: result.phases }, 'probe succeeded');
      return;
    }
    logger.warn({ ...fields, reason: result.reason, detail: result.detail, remedy: result.remedy, httpStatus: result.httpStatus, proxyStatus: result.proxyStatus, required: result.required }, 'probe failed');
    logger.debug({ ...fields, phases: result.phases }, 'probe phases');
  },
  runComplete(metrics, logger, results, durationSeconds) {
    metrics.recordRun(durationSeconds, Date.now());
    const failed = results.filter((r) => !r.success);
    logger.info({ probes: results.length, failed: failed.length, requiredFailed: failed.filter((r) => r.required).length, timingDisturbed: results.filter((r) => r.timingDisturbed).length, durationSeconds }, 'probe run complete');
  },
};
