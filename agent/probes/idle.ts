// Placeholder until the idle-timeout probe lands (issue 3): no proxy route is measured yet.
import type { Endpoint } from '../catalogue.js';
import type { Plan, ProbeSettings, Route } from '../plan.js';
import type { IdleResult } from '../result.js';

export interface IdleOptions {
  holdSeconds: number[];
  requiredSeconds: number;
}

export function idleTargets(_plan: Plan): Array<{ route: Route; endpoint: Endpoint }> {
  return [];
}

export async function measureIdle(route: Route, endpoint: Endpoint, _settings: ProbeSettings, options: IdleOptions, _signal?: AbortSignal): Promise<IdleResult> {
  return { kind: 'idle', route: route.name, endpoint: endpoint.id, url: endpoint.url, startedAt: Date.now(), durationSeconds: 0, requiredSeconds: options.requiredSeconds, verdict: 'error', silentDrop: false, holds: [], detail: 'not implemented' };
}
