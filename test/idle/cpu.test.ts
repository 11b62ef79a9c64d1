// What a cycle costs while its tunnels wait: timers and socket events only, so next to nothing. Measured with
// process.cpuUsage() once a second over the window where every tunnel is open and silent (after the last 'open',
// before the first answer). The median second is the figure: this worker process also has bursts of its own that
// have nothing to do with the cycle (V8's memory reducer runs a few full GCs some 8 s after a process goes quiet,
// ~50-100 ms in all; --trace-gc shows them as "Mark-Compact (reduce)", and they come with the lab alone and no cycle),
// and a median is not moved by one burst while a polling loop would raise every second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureIdle } from '../../agent/probes/idle/probe.js';
import { startLab, type Lab } from '../lab/lab.js';
import { proxiedTarget } from './helpers.js';

const HOLDS = [10, 10, 10, 10];
let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ readTimeoutSeconds: 60 });
});
afterAll(async () => {
  await lab?.stop();
});

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU ms spent in each second between start() and stop(). */
function perSecondCpu() {
  const seconds: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last = process.cpuUsage();
  let since = process.cpuUsage();
  let startedAt = 0;
  return {
    seconds,
    start() {
      last = since = process.cpuUsage();
      startedAt = performance.now();
      timer = setInterval(() => {
        seconds.push(cpuMs(process.cpuUsage(last)));
        last = process.cpuUsage();
      }, 1_000);
    },
    stop(): { totalMs: number; elapsedSeconds: number } {
      clearInterval(timer);
      return { totalMs: cpuMs(process.cpuUsage(since)), elapsedSeconds: (performance.now() - startedAt) / 1000 };
    },
  };
}

describe('idle cycle CPU cost', () => {
  it('costs next to no CPU while its tunnels wait', async () => {
    const { route, endpoint, plan } = proxiedTarget(lab, lab.squid.port);
    const silent = perSecondCpu();
    let opened = 0;
    let window: { totalMs: number; elapsedSeconds: number } | undefined;
    const cycleStart = process.cpuUsage();
    const r = await measureIdle(route, endpoint, plan.settings, {
      holdSeconds: HOLDS,
      requiredSeconds: 9,
      onProgress(event) {
        if (event.state === 'open' && ++opened === HOLDS.length) silent.start();
        if (event.state === 'answered' && !window) window = silent.stop();
      },
    });
    const cycleCpuMs = cpuMs(process.cpuUsage(cycleStart));
    expect(r.verdict, r.detail).toBe('pass');
    expect(window).toBeDefined();
    const typicalSecond = median(silent.seconds);
    console.log(
      `idle cycle CPU, ${HOLDS.length} tunnels x ${HOLDS[0]} s through squid: whole cycle ${cycleCpuMs.toFixed(1)} ms over ${r.durationSeconds.toFixed(2)} s ` +
        `(opens, TLS and requests included); silent window ${window!.totalMs.toFixed(1)} ms over ${window!.elapsedSeconds.toFixed(2)} s; ` +
        `median ${typicalSecond.toFixed(3)} ms CPU per idle second (per second: ${silent.seconds.map((s) => s.toFixed(1)).join(' ')})`,
    );
    expect(silent.seconds.length).toBeGreaterThanOrEqual(8);
    // A polling loop, even one every 10 ms over 4 sockets, costs several ms each second.
    expect(typicalSecond).toBeLessThan(2);
  });
});
