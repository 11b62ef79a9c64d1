// Event-loop lag seen by a probe: when the loop is blocked, every timestamp a probe takes after the block comes late,
// so its phases are inflated by up to the lag. A probe asks at its end whether its life saw more than
// DISTURBED_LAG_MS of lag.
//
// The first answer costs nothing: a block is time the loop spent busy, so a probe during whose life the loop was busy
// for DISTURBED_LAG_MS or less in all (event-loop utilisation, which Node keeps anyway) cannot have seen a longer
// block. Only a probe whose life held more busy time than that needs the timer-drift sampler, which runs while probes
// are in flight: every FINE_MS while several are, every COARSE_MS while one is (a timer that wakes the loop every
// 10 ms around a lone probe waiting on the network cost the daemon more CPU than the rest of its bookkeeping). A
// probe whose life held more busy time than the threshold inside coarse periods is marked disturbed: the coarse ticks
// cannot say whether that work came as one block.
// prom-client's own nodejs_eventloop_lag_* metrics give the process-wide picture; this gives the per-probe verdict.
// The same sampler keeps the loop's recent utilisation, which the runner uses to admit probes (loopHeadroom).
import { performance as perfHooks, type EventLoopUtilization } from 'node:perf_hooks';

const eventLoopUtilization = perfHooks.eventLoopUtilization.bind(perfHooks);

/** A probe whose life saw more event-loop lag than this is marked timingDisturbed. */
export const DISTURBED_LAG_MS = 10;
/** Sampler period while several probes are in flight (their work adds up in each one's life)... */
const FINE_MS = 10;
/** ...and while one is: its own work is a few milliseconds, so its busy time rarely needs the ticks at all. */
const COARSE_MS = 100;
/** Lag spikes above the threshold kept for the probes still running; older ones fall out (bounded). */
const MAX_SPIKES = 64;

interface Spike {
  at: number; // performance.now() when the late tick ran
  lagMs: number;
}

/** The runner starts another probe only while the loop was busy less than this share of the recent ticks... */
const ADMIT_BELOW_UTILISATION = 0.5;
/** ...and at most this many per tick, so that waiting workers do not all start at once. */
const MAX_STARTS_PER_TICK = 2;
/** A worker never waits longer than this for room: the configured concurrency stays the bound that matters. */
const MAX_ADMISSION_WAIT_MS = 2000;

const spikes: Spike[] = [];
let elu = eventLoopUtilization();
let utilisation = 0;
let startsThisTick = 0;
let inFlight = 0;
let timer: NodeJS.Timeout | undefined;
let period = FINE_MS;
let expectedAt = 0;
/** The loop's busy time (ms) during coarse periods so far: the only busy time in which a block can hide from the ticks. */
let coarseBusyMs = 0;

function arm(ms: number): void {
  period = ms;
  expectedAt = performance.now() + ms;
  clearTimeout(timer);
  timer = setTimeout(tick, ms);
  timer.unref();
}

function tick(): void {
  const now = performance.now();
  const lag = now - expectedAt;
  if (lag > DISTURBED_LAG_MS) {
    spikes.push({ at: now, lagMs: lag });
    if (spikes.length > MAX_SPIKES) spikes.shift();
  }
  const current = eventLoopUtilization();
  const since = eventLoopUtilization(current, elu);
  utilisation = 0.5 * utilisation + 0.5 * since.utilization;
  elu = current;
  startsThisTick = 0;
  if (period === COARSE_MS) coarseBusyMs += since.active;
  arm(inFlight <= 1 ? COARSE_MS : FINE_MS);
}

function startSampler(): void {
  elu = eventLoopUtilization();
  utilisation = 0;
  startsThisTick = 0;
  spikes.length = 0;
  arm(COARSE_MS);
}

function stopSampler(): void {
  clearTimeout(timer);
  timer = undefined;
}

/** The sampler's period now (ms), undefined when no probe is in flight. */
export function samplerPeriodMs(): number | undefined {
  return timer ? period : undefined;
}

export interface LagWatch {
  /** Stops watching; returns the largest lag (ms) seen during the watch, 0 when none passed the threshold. */
  end(): number;
}

/** Starts watching the event loop for one probe. Call end() exactly once (later calls return the same answer). */
export function watchLoopLag(): LagWatch {
  const since = performance.now();
  const busyAtStart: EventLoopUtilization = eventLoopUtilization();
  // A second probe in flight turns the ticks fine from the next tick on, not at once: a block in progress now would
  // be split between a coarse period and a fine one, and each part could pass for short.
  if (inFlight++ === 0) startSampler();
  const coarseBusyAtStart = coarseBusyMs;
  let answer: number | undefined;
  return {
    end() {
      if (answer !== undefined) return answer;
      answer = verdict(since, busyAtStart, coarseBusyAtStart);
      if (--inFlight === 0) stopSampler();
      return answer;
    },
  };
}

function verdict(since: number, busyAtStart: EventLoopUtilization, coarseBusyAtStart: number): number {
  // The loop's busy time since the watch began, the turn in progress included (performance.now() - its start).
  const busy = eventLoopUtilization(busyAtStart).active;
  if (busy <= DISTURBED_LAG_MS) return 0;
  const now = performance.now();
  // A block that ends just now has not been seen by a tick yet: the overdue time of the next tick counts too.
  let worst = Math.max(0, now - expectedAt);
  for (let i = spikes.length - 1; i >= 0 && spikes[i]!.at >= since; i--) worst = Math.max(worst, spikes[i]!.lagMs);
  if (worst > DISTURBED_LAG_MS) return worst;
  // Busy time under coarse ticks (whole periods, the one in progress included): more than the threshold of it could
  // have been one block that no tick saw. A watch that began inside a coarse period counts all of it: an overestimate.
  const coarseBusy = coarseBusyMs - coarseBusyAtStart + (period === COARSE_MS ? eventLoopUtilization(elu).active : 0);
  return coarseBusy > DISTURBED_LAG_MS ? busy : 0;
}

/**
 * Admission for the runner: resolves when the event loop has room to time one more probe cleanly (it was busy less
 * than ADMIT_BELOW_UTILISATION of the recent ticks, and few probes started this tick), or after a bounded wait.
 * Under load this trades cycle time for timings the load does not inflate; with little load it does not wait.
 */
export async function loopHeadroom(): Promise<void> {
  const deadline = performance.now() + MAX_ADMISSION_WAIT_MS;
  for (let i = 0; i < MAX_ADMISSION_WAIT_MS && timer && (utilisation > ADMIT_BELOW_UTILISATION || startsThisTick >= MAX_STARTS_PER_TICK) && performance.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, FINE_MS / 2));
  }
  startsThisTick++;
}
