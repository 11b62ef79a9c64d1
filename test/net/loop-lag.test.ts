import { describe, expect, it } from 'vitest';
import { DISTURBED_LAG_MS, samplerPeriodMs, watchLoopLag } from '../../agent/net/loop-lag.js';
import { untilQuiet } from '../lab/quiet.js';

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: the event loop cannot turn
  }
}

const turn = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop lag watch', () => {
  it('reports nothing for a probe whose loop kept turning', async () => {
    const lags = await untilQuiet(async () => {
      const watch = watchLoopLag();
      await turn(40);
      return watch.end();
    }, (lag) => lag === 0);
    expect(lags.at(-1)).toBe(0);
  });

  it('reports a block that happened while the probe was in flight, and only to the probes that saw it', async () => {
    // Every attempt must see its own block; the watches that saw no block must read 0 in at least one attempt.
    const attempts = await untilQuiet(async () => {
      const before = watchLoopLag();
      const beforeLag = before.end();
      const during = watchLoopLag();
      await turn(15);
      block(DISTURBED_LAG_MS * 4);
      await turn(25); // the sampler's next tick sees the block
      const after = watchLoopLag();
      await turn(25);
      const lag = during.end();
      expect(lag).toBeGreaterThan(DISTURBED_LAG_MS);
      expect(during.end()).toBe(lag); // idempotent
      return { beforeLag, afterLag: after.end() };
    }, (a) => a.beforeLag === 0 && a.afterLag === 0);
    expect(attempts.at(-1)).toEqual({ beforeLag: 0, afterLag: 0 });
  });

  it('samples the loop every 100 ms around one probe, every 10 ms around several, and not at all around none', async () => {
    expect(samplerPeriodMs()).toBeUndefined();
    const first = watchLoopLag();
    const alone = samplerPeriodMs();
    const second = watchLoopLag();
    for (let i = 0; i < 30 && samplerPeriodMs() !== 10; i++) await turn(10); // the next tick finds two in flight
    const together = samplerPeriodMs();
    second.end();
    await turn(25); // the next tick finds one probe left
    const aloneAgain = samplerPeriodMs();
    first.end();
    expect({ alone, together, aloneAgain, none: samplerPeriodMs() }).toEqual({ alone: 100, together: 10, aloneAgain: 100, none: undefined });
  });

  it("judges a block that runs across a second probe's start as one", () => {
    const first = watchLoopLag();
    block(DISTURBED_LAG_MS / 2 + 1);
    const second = watchLoopLag();
    block(DISTURBED_LAG_MS / 2 + 1);
    // One block of more than the threshold, half before the second probe began: not cut in two parts that each pass.
    second.end();
    expect(first.end()).toBeGreaterThan(DISTURBED_LAG_MS);
  });

  it('marks a probe whose life held more busy time than the threshold while the sampler was coarse, though no tick saw one block', async () => {
    const watch = watchLoopLag();
    expect(samplerPeriodMs()).toBe(100);
    // Short blocks, each under the threshold, that add up to more than it: the coarse ticks cannot tell them from one.
    for (let i = 0; i < 6; i++) {
      block(DISTURBED_LAG_MS / 2 - 1);
      await new Promise((r) => setImmediate(r));
    }
    expect(watch.end()).toBeGreaterThan(DISTURBED_LAG_MS);
  });

  it('sees a block that ends just before the probe does, before any tick', () => {
    const watch = watchLoopLag();
    block(DISTURBED_LAG_MS * 3);
    expect(watch.end()).toBeGreaterThan(DISTURBED_LAG_MS);
  });
});
