// The result history: latest per key, a bounded ring, failures kept after they leave it, and failure streaks
// (since when, how many runs in a row) counted as results are added.
import { describe, expect, it } from 'vitest';
import { ResultHistory } from '../../agent/export/history.js';
import type { Kept } from '../../agent/export/history.js';

const result = (target: string, startedAt: number, success: boolean, route = 'corp'): Kept & { durationSeconds: number; reason?: string } => ({ kind: 'http', target, route, startedAt, success, durationSeconds: 0.01, ...(success ? {} : { reason: 'proxy_denied' }) });

describe('ResultHistory streaks', () => {
  it('counts consecutive failures from the first one, and forgets them at the first success', () => {
    const h = new ResultHistory();
    h.add(result('a', 1000, true));
    h.add(result('a', 2000, false));
    h.add(result('b', 2100, false));
    h.add(result('a', 3000, false));
    h.add(result('a', 4000, false));
    expect(h.snapshot().streaks).toEqual(
      expect.arrayContaining([
        { kind: 'http', target: 'a', route: 'corp', since: 2000, runs: 3 },
        { kind: 'http', target: 'b', route: 'corp', since: 2100, runs: 1 },
      ]),
    );
    h.add(result('a', 5000, true));
    expect(h.snapshot().streaks.map((s) => s.target)).toEqual(['b']);
    h.add(result('a', 6000, false));
    expect(h.snapshot().streaks.find((s) => s.target === 'a')).toMatchObject({ since: 6000, runs: 1 });
  });

  it('keeps one streak per kind × target × route, however long the failure lasts, and drops those retain() removes', () => {
    const h = new ResultHistory(10, 5);
    for (let i = 0; i < 1000; i++) {
      h.add(result('a', i, false, 'r1'));
      h.add(result('a', i, false, 'r2'));
    }
    const { streaks, recent, failures } = h.snapshot();
    expect(streaks).toHaveLength(2);
    expect(streaks.every((s) => s.runs === 1000 && s.since === 0)).toBe(true);
    expect(recent).toHaveLength(10);
    expect(failures).toHaveLength(5);
    h.retain((r) => r.route === 'r1');
    expect(h.snapshot().streaks.map((s) => s.route)).toEqual(['r1']);
  });

  it('hands out copies: a snapshot does not change when more results come', () => {
    const h = new ResultHistory();
    h.add(result('a', 1, false));
    const before = h.snapshot();
    h.add(result('a', 2, false));
    expect(before.streaks[0]!.runs).toBe(1);
    expect(h.snapshot().streaks[0]!.runs).toBe(2);
  });
});
