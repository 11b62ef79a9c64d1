// The daemon's own next-fire computation for plain cron expressions, against node-cron's (the scheduler it replaces
// for those), and across daylight-saving changes.
import cron from 'node-cron';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nextFire, plainFields, schedule, type CronFields } from '../../agent/run/scheduler.js';

const savedTz = process.env.TZ;
function inZone(tz: string): void {
  process.env.TZ = tz;
}
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

function fields(expression: string): CronFields {
  const f = plainFields(expression);
  if (!f) throw new Error(`not plain: ${expression}`);
  return f;
}
const at = (iso: string) => new Date(iso).getTime();
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** node-cron's own answer (its task's matcher, through Intl). */
function cronNext(expression: string, after: number): number {
  const task = cron.createTask(expression, () => undefined) as unknown as { timeMatcher: { getNextMatch(d: Date): Date }; destroy(): void };
  try {
    return task.timeMatcher.getNextMatch(new Date(after)).getTime();
  } finally {
    task.destroy();
  }
}

describe('plainFields', () => {
  it('takes numbers, ranges, steps, lists and names; leaves L, W and # to node-cron', () => {
    expect(plainFields('*/5 * * * *')).toBeDefined();
    expect(plainFields('0 9-17/2 * jan-mar mon,fri')).toBeDefined();
    expect(plainFields('@hourly')).toBeDefined();
    expect(plainFields('0 0 L * *')).toBeUndefined();
    expect(plainFields('0 0 * * 1#2')).toBeUndefined();
    expect(plainFields('0 0 15W * *')).toBeUndefined();
  });
  it('rejects what node-cron rejects', () => {
    expect(() => plainFields('61 * * * *')).toThrow();
    expect(() => plainFields('* * *')).toThrow();
  });
});

describe('nextFire (UTC)', () => {
  beforeAll(() => inZone('UTC'));
  it('is strictly after the given time, on a whole second', () => {
    expect(iso(nextFire(fields('* * * * * *'), at('2026-03-01T10:00:00.000Z')))).toBe('2026-03-01T10:00:01.000Z');
    expect(iso(nextFire(fields('* * * * * *'), at('2026-03-01T10:00:00.999Z')))).toBe('2026-03-01T10:00:01.000Z');
    expect(iso(nextFire(fields('* * * * *'), at('2026-03-01T10:00:00.000Z')))).toBe('2026-03-01T10:01:00.000Z');
    expect(iso(nextFire(fields('*/30 * * * *'), at('2026-03-01T10:07:13.500Z')))).toBe('2026-03-01T10:30:00.000Z');
    expect(iso(nextFire(fields('*/5 * * * *'), at('2026-12-31T23:58:00.000Z')))).toBe('2027-01-01T00:00:00.000Z');
  });
  it('finds rare dates: 29 February on a Monday, the 31st', () => {
    expect(iso(nextFire(fields('0 0 29 2 mon'), at('2026-01-01T00:00:00Z')))).toBe('2044-02-29T00:00:00.000Z');
    expect(iso(nextFire(fields('0 12 31 * *'), at('2026-04-01T00:00:00Z')))).toBe('2026-05-31T12:00:00.000Z');
  });
  it('agrees with node-cron on random plain expressions and times', () => {
    const list = (min: number, max: number) =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min: 1, max: Math.min(30, max) }).map((n) => `*/${n}`),
        fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }).map((v) => v.join(',')),
        fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min: 1, max: 5 })).map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`),
      );
    const expression = fc
      .tuple(fc.boolean(), list(0, 59), list(0, 59), list(0, 23), fc.oneof(fc.constant('*'), list(1, 28)), fc.oneof(fc.constant('*'), list(1, 12)), fc.oneof(fc.constant('*'), list(0, 6)))
      .map(([six, s, m, h, dom, mon, dow]) => (six ? `${s} ${m} ${h} ${dom} ${mon} ${dow}` : `${m} ${h} ${dom} ${mon} ${dow}`));
    const time = fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z') });
    fc.assert(
      fc.property(expression, time, (e, t) => {
        expect(iso(nextFire(fields(e), t))).toBe(iso(cronNext(e, t)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('nextFire across daylight-saving changes (Europe/Berlin)', () => {
  beforeAll(() => inZone('Europe/Berlin'));
  it('keeps */N spacing in absolute time when the clocks go forward and back', () => {
    for (const start of ['2026-03-29T00:40:00Z', '2026-10-25T00:40:00Z']) {
      const f = fields('*/10 * * * *');
      let t = at(start);
      const gaps: number[] = [];
      for (let i = 0; i < 12; i++) {
        const next = nextFire(f, t)!;
        gaps.push((next - t) / 60_000);
        t = next;
      }
      expect(gaps.slice(1)).toEqual(new Array(11).fill(10));
    }
  });
  it('skips a local time the change leaves out, and fires a repeated one at each of its instants', () => {
    // 2026-03-29 02:30 does not exist in Berlin: the next 02:30 is the next day's.
    expect(iso(nextFire(fields('30 2 * * *'), at('2026-03-29T00:00:00Z')))).toBe('2026-03-30T00:30:00.000Z');
    // 2026-10-25 02:30 happens twice (CEST, then CET).
    const first = nextFire(fields('30 2 * * *'), at('2026-10-24T23:00:00Z'))!;
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextFire(fields('30 2 * * *'), first))).toBe('2026-10-25T01:30:00.000Z');
  });
  it('fires at local wall-clock times on either side of a change', () => {
    expect(iso(nextFire(fields('0 9 * * *'), at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T07:00:00.000Z');
    expect(iso(nextFire(fields('0 9 * * *'), at('2026-03-27T12:00:00Z')))).toBe('2026-03-28T08:00:00.000Z');
  });
});

describe('schedule (own timer)', () => {
  it('ticks once per matching second, never overlaps, counts the skipped ticks, and stops', async () => {
    vi.useFakeTimers({ now: at('2026-03-01T10:00:00.200Z') });
    try {
      let runs = 0;
      let skips = 0;
      let release!: () => void;
      const s = schedule(
        '*/2 * * * * *',
        () => {
          runs++;
          return new Promise<void>((r) => (release = r));
        },
        () => skips++,
        (err) => {
          throw err;
        },
      );
      await vi.advanceTimersByTimeAsync(1_800); // 10:00:02.000
      expect([runs, skips, s.running]).toEqual([1, 0, true]);
      await vi.advanceTimersByTimeAsync(4_000); // ticks at :04 and :06 find the run going
      expect([runs, skips]).toEqual([1, 2]);
      release();
      await s.idle();
      expect(s.running).toBe(false);
      await vi.advanceTimersByTimeAsync(2_000); // :08
      expect([runs, skips]).toEqual([2, 2]);
      release();
      s.stop();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(runs).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
  it('notices a wall clock set back within a minute and fires at the times of the new clock', async () => {
    vi.useFakeTimers({ now: at('2026-03-01T10:00:30Z') });
    try {
      const fired: string[] = [];
      const s = schedule('0 * * * *', () => (fired.push(new Date().toISOString()), Promise.resolve()), () => undefined, () => undefined);
      vi.setSystemTime(at('2026-03-01T08:00:30Z')); // due was 11:00; the clock now says 08:00
      await vi.advanceTimersByTimeAsync(60_000 + 59 * 60_000);
      s.stop();
      expect(fired).toEqual(['2026-03-01T09:00:00.000Z']);
    } finally {
      vi.useRealTimers();
    }
  });
});
