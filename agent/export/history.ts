// Recent results of every probe kind, for the status page, /status and `check`: the latest per target, a bounded
// ring of recent ones, and (as blackbox_exporter's history.go does) failures kept apart once they roll out of the
// ring, so a failure an hour ago is still there to read after a thousand successes.
/** What the history needs of a result: which kind, target and route it is about, and whether it failed. */
export interface Kept {
  kind: string;
  target: string;
  route: string;
  success: boolean;
}

export interface HistorySnapshot<R extends Kept = Kept> {
  /** The latest result of each kind × target × route. */
  latest: R[];
  /** The last results in the order they ended, newest first. */
  recent: R[];
  /** Failures that have left the ring, newest first. */
  failures: R[];
}

const keyOf = (r: Kept) => `${r.kind}\u0000${r.target}\u0000${r.route}`;

export class ResultHistory<R extends Kept = Kept> {
  private readonly latestByKey = new Map<string, R>();
  private readonly ring: R[] = [];
  private readonly failed: R[] = [];

  constructor(
    private readonly capacity = 500,
    private readonly failureCapacity = 100,
  ) {}

  add(result: R): void {
    this.latestByKey.set(keyOf(result), result);
    this.ring.push(result);
    if (this.ring.length <= this.capacity) return;
    const dropped = this.ring.shift()!;
    if (dropped.success) return;
    this.failed.push(dropped);
    if (this.failed.length > this.failureCapacity) this.failed.shift();
  }

  /** Forgets what is no longer in the plan. */
  retain(keep: (result: R) => boolean): void {
    for (const [key, r] of this.latestByKey) if (!keep(r)) this.latestByKey.delete(key);
    const keepIn = (list: R[]) => {
      const kept = list.filter(keep);
      list.splice(0, list.length, ...kept);
    };
    keepIn(this.ring);
    keepIn(this.failed);
  }

  latest<K extends R['kind']>(kind?: K): Array<Extract<R, { kind: K }>> {
    const all = [...this.latestByKey.values()];
    return (kind === undefined ? all : all.filter((r) => r.kind === kind)) as Array<Extract<R, { kind: K }>>;
  }

  recent(limit = 100): R[] {
    return this.ring.slice(-limit).reverse();
  }

  failures(limit = this.failureCapacity): R[] {
    return this.failed.slice(-limit).reverse();
  }

  snapshot(recentLimit = 100): HistorySnapshot<R> {
    return { latest: [...this.latestByKey.values()], recent: this.recent(recentLimit), failures: this.failures() };
  }
}
