// Recent results of every probe kind, for the status page, /status and `check`: the latest per target, a bounded
// ring of recent ones, and (as blackbox_exporter's history.go does) failures kept apart once they roll out of the
// ring, so a failure an hour ago is still there to read after a thousand successes.
/** What the history needs of a result: which kind, target and route it is about, when it started and whether it failed. */
export interface Kept {
  kind: string;
  target: string;
  route: string;
  /** Unix ms: where a failure streak starts. */
  startedAt: number;
  success: boolean;
}

export interface HistorySnapshot<R extends Kept = Kept> {
  /** The latest result of each kind × target × route. */
  latest: R[];
  /** The last results in the order they ended, newest first. */
  recent: R[];
  /** Failures that have left the ring, newest first. */
  failures: R[];
  /** Each kind × target × route whose latest result failed: since when, over how many runs in a row. */
  streaks: FailureStreak[];
}

/** A run of failures of one kind × target × route, unbroken by a success. */
export interface FailureStreak {
  kind: string;
  target: string;
  route: string;
  /** When the first failure of the run started (Unix ms). */
  since: number;
  /** Consecutive failing results, the first one included. */
  runs: number;
}

const keyOf = (r: Kept) => `${r.kind}\u0000${r.target}\u0000${r.route}`;

export class ResultHistory<R extends Kept = Kept> {
  private readonly latestByKey = new Map<string, R>();
  private readonly ring: R[] = [];
  private readonly failed: R[] = [];
  // One entry per key whose latest result failed, so never more than latestByKey holds.
  private readonly streakByKey = new Map<string, FailureStreak>();

  constructor(
    private readonly capacity = 500,
    private readonly failureCapacity = 100,
  ) {}

  add(result: R): void {
    const key = keyOf(result);
    this.latestByKey.set(key, result);
    this.countStreak(key, result);
    this.ring.push(result);
    if (this.ring.length <= this.capacity) return;
    const dropped = this.ring.shift()!;
    if (dropped.success) return;
    this.failed.push(dropped);
    if (this.failed.length > this.failureCapacity) this.failed.shift();
  }

  private countStreak(key: string, result: R): void {
    if (result.success) {
      this.streakByKey.delete(key);
      return;
    }
    const streak = this.streakByKey.get(key);
    if (streak) streak.runs++;
    else this.streakByKey.set(key, { kind: result.kind, target: result.target, route: result.route, since: result.startedAt, runs: 1 });
  }

  /** Forgets what is no longer in the plan. */
  retain(keep: (result: R) => boolean): void {
    for (const [key, r] of this.latestByKey) {
      if (keep(r)) continue;
      this.latestByKey.delete(key);
      this.streakByKey.delete(key);
    }
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
    return {
      latest: [...this.latestByKey.values()],
      recent: this.recent(recentLimit),
      failures: this.failures(),
      streaks: [...this.streakByKey.values()].map((s) => ({ ...s })),
    };
  }
}
