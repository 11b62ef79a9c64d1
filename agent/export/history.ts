// What the status page and `/status` show: the latest result per target and a bounded ring of recent ones.
import type { ProbeResult } from '../probes/http/result.js';
import type { IdleResult } from '../probes/idle/result.js';
import type { SignInResult } from '../probes/signin/result.js';

export class ResultHistory {
  private readonly latestByTarget = new Map<string, ProbeResult>();
  private readonly latestIdle = new Map<string, IdleResult>();
  private readonly latestSignIn = new Map<string, SignInResult>();
  private readonly ring: ProbeResult[] = [];

  constructor(private readonly capacity = 500) {}

  add(result: ProbeResult): void {
    this.latestByTarget.set(`${result.endpoint}\u0000${result.route}`, result);
    this.ring.push(result);
    if (this.ring.length > this.capacity) this.ring.shift();
  }

  addIdle(result: IdleResult): void {
    this.latestIdle.set(result.route, result);
  }

  addSignIn(result: SignInResult): void {
    this.latestSignIn.set(result.route, result);
  }

  /** Forgets targets and routes that are no longer in the plan. */
  retain(keep: (endpoint: string, route: string) => boolean): void {
    for (const [key, r] of this.latestByTarget) if (!keep(r.endpoint, r.route)) this.latestByTarget.delete(key);
    for (const [route] of this.latestIdle) if (!keep('', route)) this.latestIdle.delete(route);
    for (const [route] of this.latestSignIn) if (!keep('', route)) this.latestSignIn.delete(route);
  }

  latest(): ProbeResult[] {
    return [...this.latestByTarget.values()];
  }

  idle(): IdleResult[] {
    return [...this.latestIdle.values()];
  }

  signIn(): SignInResult[] {
    return [...this.latestSignIn.values()];
  }

  recent(limit = 100): ProbeResult[] {
    return this.ring.slice(-limit).reverse();
  }
}
