// Runs a set of probes with bounded concurrency. Each probe carries its own deadline, so one slow endpoint delays
// only itself; results are handed on as each probe ends.
import type { ProbeSettings, ProbeTarget } from '../plan/plan.js';
import { prepareTrust } from '../net/connector.js';
import { loopHeadroom } from '../net/loop-lag.js';
import { probeHttp } from '../probes/http/probe.js';
import type { ProbeResult } from '../probes/http/result.js';

export interface RunOptions {
  concurrency: number;
  signal?: AbortSignal;
  onResult?: (result: ProbeResult) => void;
}

export async function runProbes(targets: readonly ProbeTarget[], settings: ProbeSettings, options: RunOptions): Promise<ProbeResult[]> {
  prepareTrust(settings.ca);
  const results: ProbeResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length && !options.signal?.aborted) {
      // Room on the event loop first: a probe started into a saturated loop reports the loop's delay as the network's.
      await loopHeadroom();
      if (next >= targets.length || options.signal?.aborted) break;
      const index = next++;
      const result = await probeHttp(targets[index]!, settings, options.signal);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, options.concurrency), targets.length) }, worker);
  await Promise.all(workers);
  return results.filter((r) => r !== undefined);
}
