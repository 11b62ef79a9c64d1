// Runs a set of targets with bounded concurrency. Each probe carries its own deadline, so one slow target delays
// only itself; results are handed on as each probe ends.
import { prepareTrust } from '../net/connector.js';
import { loopHeadroom } from '../net/loop-lag.js';
import { httpProbe } from '../probes/http/index.js';
import type { ProbeResult } from '../probes/http/result.js';
import type { Probe } from '../probes/probe.js';
import type { Plan, ProbeTarget } from '../plan/plan.js';
import type { ResultHeader } from '../probes/probe.js';

export interface RunOptions<R> {
  concurrency: number;
  signal?: AbortSignal;
  onResult?: (result: R) => void;
}

/** Probes `targets` of one kind over `plan`, at most `concurrency` at a time; results in the targets' order. */
export async function runTargets<T, R extends ResultHeader>(probe: Probe<T, R>, plan: Plan, targets: readonly T[], options: RunOptions<R>): Promise<R[]> {
  // The trust store is built before the first probe, so that its cost does not land inside (and disturb) one.
  prepareTrust(plan.settings.ca);
  const signal = options.signal ?? new AbortController().signal;
  const results: R[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length && !signal.aborted) {
      // Room on the event loop first: a probe started into a saturated loop reports the loop's delay as the network's.
      await loopHeadroom();
      if (next >= targets.length || signal.aborted) break;
      const index = next++;
      const result = await probe.run(targets[index]!, { plan, signal });
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, options.concurrency), targets.length) }, worker);
  await Promise.all(workers);
  return results.filter((r) => r !== undefined);
}

/** HTTP probes of some of a plan's targets (`check` and `explain --run` take them in the article's order). */
export function runProbes(plan: Plan, targets: readonly ProbeTarget[], options: RunOptions<ProbeResult>): Promise<ProbeResult[]> {
  return runTargets(httpProbe, plan, targets, options);
}
