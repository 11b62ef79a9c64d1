import { describe, expect, it } from 'vitest';
import { schedule } from '../../agent/run/scheduler.js';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { runProbes } from '../../agent/run/runner.js';
import { waitFor } from '../lab/squid.js';

describe('schedule', () => {
  it('never overlaps a run with the previous one: ticks that find it running are skipped and counted', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let skips = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const s = schedule(
      '* * * * * *',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        await held;
        running--;
      },
      () => skips++,
      (err) => {
        throw err;
      },
    );
    try {
      await waitFor(() => skips >= 2, 5_000, 'two skipped ticks');
      expect(runs).toBe(1);
      expect(maxRunning).toBe(1);
      release();
      await s.idle();
      expect(running).toBe(0);
    } finally {
      s.stop();
    }
  });
});

describe('runProbes', () => {
  it('returns nothing and starts nothing for an empty plan', async () => {
    const plan = buildPlan(parseConfig('routes: [{name: direct}]\n', 'test.yaml', {}), {});
    expect(await runProbes(plan, [], { concurrency: 4 })).toEqual([]);
  });
});
