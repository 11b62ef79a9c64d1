// One interface for every probe kind. A kind says which targets a plan gives it, how to probe one target, how its
// result becomes series and a log line, and on which schedule the daemon runs it; the job loop (run/daemon.ts) does
// the rest the same way for every kind: no overlap, bounded concurrency, stale results dropped, history kept.
import type { AgentMetrics } from '../export/metrics.js';
import type { Logger } from '../log.js';
import type { Plan } from '../plan/plan.js';
import type { Finding } from '../finding.js';
import type { FailureReason } from './classify.js';

export /** The common header of every result, whatever its kind. */
interface ResultHeader {
  kind: string;
  /** What was probed: a catalogue endpoint id, or the domain of sign-in discovery. */
  target: string;
  route: string;
  startedAt: number; // Unix ms
  success: boolean;
  durationSeconds: number;
  reason?: FailureReason;
  findings?: Finding[];
}

export interface ProbeContext {
  plan: Plan;
  /** Aborted at shutdown; a probe ends at once and its result is not recorded. */
  signal: AbortSignal;
}

/** What the daemon (or `check`) has seen so far: a kind fed by another's results reads them here. */
export interface SeenResults {
  latest(kind?: string): readonly ResultHeader[];
}

export interface Probe<Target = unknown, Result extends ResultHeader = ResultHeader> {
  readonly kind: Result['kind'];
  /** A cron expression the daemon runs this kind on, or undefined when the plan does not ask for it. */
  schedule(plan: Plan): string | undefined;
  /** What to probe on this plan; `seen` holds the latest result of every kind (the served chains, for revocation). */
  targets(plan: Plan, seen: SeenResults): Target[];
  /** How many targets are probed at once. */
  concurrency(plan: Plan): number;
  /** Probes one target. Never throws: every failure is a result. */
  run(target: Target, ctx: ProbeContext): Promise<Result>;
  /** Sets the series a new plan gives this kind before any result (zeroed counters, requirements). */
  prepare?(metrics: AgentMetrics, plan: Plan): void;
  record(metrics: AgentMetrics, result: Result): void;
  log(logger: Logger, result: Result): void;
  /**
   * Whether a result kept from the previous plan still stands for a target of `plan` once that plan replaces it (the
   * daemon has already dropped those of removed routes). Without it: while its target is one of the plan's endpoints.
   */
  stillCurrent?(result: Result, plan: Plan): boolean;
  /** Called once a whole run of the kind has ended (not when shutdown cut it short). */
  runComplete?(metrics: AgentMetrics, logger: Logger, results: readonly Result[], durationSeconds: number): void;
  /** The daemon is ready (/-/ready) once a run of every kind that gates readiness has completed. */
  readonly gatesReadiness?: boolean;
  /** The daemon starts a first run at once instead of waiting for the first tick (a quick /-/ready, a quick answer). */
  readonly runAtStart?: boolean;
}

/** Any probe, whatever its target and result types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProbe = Probe<any, any>;
