// How an idle cycle becomes series: survival per hold, the measured close, silent drops, runs by verdict.
import type { AgentMetrics } from '../../export/metrics.js';
import type { Plan } from '../../plan/plan.js';
import type { IdleResult } from './result.js';

export function prepareIdleSeries(metrics: AgentMetrics, plan: Plan): void {
  metrics.m.idleRequired.set(plan.config.idle.requiredSeconds);
}

export function recordIdle(metrics: AgentMetrics, result: IdleResult): void {
  const route = result.route;
  metrics.m.idleRuns.inc({ route, result: result.verdict });
  metrics.m.idleLast.set({ route }, (result.startedAt + result.durationSeconds * 1000) / 1000);
  if (result.verdict === 'error') return; // an unrun cycle says nothing new about the idle timeout
  for (const hold of result.holds) metrics.m.idleSurvived.set({ route, hold_seconds: String(hold.holdSeconds) }, hold.survived ? 1 : 0);
  if (result.closeSeconds === undefined) metrics.m.idleClose.remove({ route });
  else metrics.m.idleClose.set({ route }, result.closeSeconds);
  metrics.m.idleSilentDrop.set({ route }, result.silentDrop ? 1 : 0);
}
