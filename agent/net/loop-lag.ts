// Event-loop lag seen by a probe: when the loop is blocked, every timestamp a probe takes after the block comes late,
// so its phases are inflated by up to the lag. A small timer-drift sampler runs only while probes are in flight, and
// a probe asks at its end whether any sample taken during its life saw more lag than DISTURBED_LAG_MS.
// prom-client's own nodejs_eventloop_lag_* metrics give the process-wide picture; this gives the per-probe verdict.
// The same sampler keeps the loop's recent utilisation, which the runner uses to admit probes (loopHeadroom).
import { performance as perfHooks } from 'node:perf_hooks';

const eventLoopUtilization = perfHooks.eventLoopUtilization.bind(perfHooks);

/** A probe whose life saw more event-loop lag than this is marked timingDisturbed. */
export const DISTURBED_LAG_MS = 10;
/** Sampler period while probes are in flight (one small timer; stopped when nothing is in flight). */
const SAMPLE_EVERY_MS = 10;
/** Lag spikes above the threshold kept for the probes still running; older ones fall out (bounded). */
const MAX_SPIKES = 64;

interface Spike {
  at: number; // performance.now() when the late tick ran
  lagMs: number;
}

/** The runner starts another probe only while the loop was busy less than this share of the recent ticks... */
const ADMIT_BELOW_UTILISATION = 0.5;
/** ...and at most this many per sampler tick, so that waiting workers do not all start at once. */
const MAX_STARTS_PER_TICK = 2;
/** A worker never waits longer than this for room: the configured concurrency stays the bound that matters. */
const MAX_ADMISSION_WAIT_MS = 2000;

const spikes: Spike[] = [];
let elu = eventLoopUtilization();
let utilisation = 0;
let startsThisTick = 0;
let inFlight = 0;
let timer: NodeJS.Timeout | undefined;
let expectedAt = 0;

function tick(): void {
  const now = performance.now();
  const lag = now - expectedAt;
  if (lag > DISTURBED_LAG_MS) {
    spikes.push({ at: now, lagMs: lag });
    if (spikes.length > MAX_SPIKES) spikes.shift();
  }
  expectedAt = now + SAMPLE_EVERY_MS;
  const current = eventLoopUtilization();
  utilisation = 0.5 * utilisation + 0.5 * eventLoopUtilization(current, elu).utilization;
  elu = current;
  startsThisTick = 0;
}

function startSampler(): void {
  expectedAt = performance.now() + SAMPLE_EVERY_MS;
  elu = eventLoopUtilization();
  utilisation = 0;
  startsThisTick = 0;
  timer = setInterval(tick, SAMPLE_EVERY_MS);
  timer.unref();
}

function stopSampler(): void {
  if (timer) clearInterval(timer);
  timer = undefined;
}

export interface LagWatch {
  /** Stops watching; returns the largest lag (ms) seen during the watch, 0 when none passed the threshold. */
  end(): number;
}

/** Starts watching the event loop for one probe. Call end() exactly once (later calls return the same answer). */
export function watchLoopLag(): LagWatch {
  const since = performance.now();
  if (inFlight++ === 0) startSampler();
  let answer: number | undefined;
  return {
    end() {
      if (answer !== undefined) return answer;
      const now = performance.now();
      // A block that ends just now has not been seen by a tick yet: the overdue time of the next tick counts too.
      let worst = timer ? Math.max(0, now - expectedAt) : 0;
      for (let i = spikes.length - 1; i >= 0 && spikes[i]!.at >= since; i--) worst = Math.max(worst, spikes[i]!.lagMs);
      if (--inFlight === 0) {
        stopSampler();
        spikes.length = 0;
      }
      answer = worst > DISTURBED_LAG_MS ? worst : 0;
      return answer;
    },
  };
}

/**
 * Admission for the runner: resolves when the event loop has room to time one more probe cleanly (it was busy less
 * than ADMIT_BELOW_UTILISATION of the recent ticks, and few probes started this tick), or after a bounded wait.
 * Under load this trades cycle time for timings the load does not inflate; with little load it does not wait.
 */
export async function loopHeadroom(): Promise<void> {
  const deadline = performance.now() + MAX_ADMISSION_WAIT_MS;
  for (let i = 0; i < MAX_ADMISSION_WAIT_MS && timer && (utilisation > ADMIT_BELOW_UTILISATION || startsThisTick >= MAX_STARTS_PER_TICK) && performance.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS / 2));
  }
  startsThisTick++;
}
