// Phase timestamps are taken where the thing happens (socket and parser events), and each phase ends where the
// next begins, so the phases always sum to the total.
import type { Phase } from './types.js';

export class PhaseClock {
  private readonly start = process.hrtime.bigint();
  private readonly spent = new Map<Phase, bigint>();
  private current: Phase | undefined;
  private currentSince = this.start;
  private end: bigint | undefined;

  /**
   * Ends the phase in progress (if any) and starts `phase`, now or at `at` (a timestamp taken earlier, where the
   * thing happened). The first phase starts when the clock did, so no moment falls between phases.
   */
  enter(phase: Phase, at?: bigint): void {
    if (this.end !== undefined) return;
    const now = at !== undefined && at >= this.currentSince ? at : process.hrtime.bigint();
    const first = this.current === undefined && this.spent.size === 0;
    this.close(now);
    this.current = phase;
    this.currentSince = first ? this.start : now;
  }

  /** The phase in progress, or after finish() the last one entered: where a failure happened. */
  get lastPhase(): Phase | undefined {
    return this.current ?? this.last;
  }
  private last: Phase | undefined;

  finish(): void {
    if (this.end !== undefined) return;
    this.end = process.hrtime.bigint();
    this.close(this.end);
    this.last = this.current;
    this.current = undefined;
  }

  private close(now: bigint): void {
    if (this.current === undefined) return;
    this.spent.set(this.current, (this.spent.get(this.current) ?? 0n) + (now - this.currentSince));
  }

  phases(): Partial<Record<Phase, number>> {
    const out: Partial<Record<Phase, number>> = {};
    for (const [phase, ns] of this.spent) out[phase] = Number(ns) / 1e9;
    return out;
  }

  totalSeconds(): number {
    const end = this.end ?? process.hrtime.bigint();
    return Number(end - this.start) / 1e9;
  }
}
