// The snapshot indexed the way the page's sections read it: the latest result per endpoint × route, the failure
// streaks, and the results of each kind.
import type { FailureStreak } from '../../export/history.js';
import type { ProbeResult } from '../../probes/http/result.js';
import type { IdleResult } from '../../probes/idle/result.js';
import type { RevocationResult } from '../../probes/revocation/result.js';
import type { SignInResult } from '../../probes/signin/result.js';
import type { AnyResult } from '../../probes/registry.js';
import type { StatusSnapshot } from '../snapshot.js';

const key = (target: string, route: string) => `${target}\u0000${route}`;

export function ofKind<K extends AnyResult['kind']>(results: readonly AnyResult[], kind: K): Array<Extract<AnyResult, { kind: K }>> {
  return results.filter((r): r is Extract<AnyResult, { kind: K }> => r.kind === kind);
}

export interface PageView {
  snapshot: StatusSnapshot;
  http: ProbeResult[];
  idle: IdleResult[];
  signIn: SignInResult[];
  revocation: RevocationResult[];
  cell(endpoint: string, route: string): ProbeResult | undefined;
  streak(kind: string, target: string, route: string): FailureStreak | undefined;
  /** Latest http results of a route that failed, required ones first. */
  failing(route: string): ProbeResult[];
}

export function viewOf(snapshot: StatusSnapshot): PageView {
  const http = ofKind(snapshot.history.latest, 'http');
  const cells = new Map(http.map((r) => [key(r.endpoint, r.route), r]));
  const streaks = new Map(snapshot.history.streaks.map((s) => [`${s.kind}\u0000${key(s.target, s.route)}`, s]));
  return {
    snapshot,
    http,
    idle: ofKind(snapshot.history.latest, 'idle'),
    signIn: ofKind(snapshot.history.latest, 'signin'),
    revocation: ofKind(snapshot.history.latest, 'revocation'),
    cell: (endpoint, route) => cells.get(key(endpoint, route)),
    streak: (kind, target, route) => streaks.get(`${kind}\u0000${key(target, route)}`),
    failing: (route) => http.filter((r) => r.route === route && !r.success).sort((a, b) => Number(b.required) - Number(a.required) || a.endpoint.localeCompare(b.endpoint)),
  };
}
