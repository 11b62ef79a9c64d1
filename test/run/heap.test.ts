// The daemon's young-generation setting: applied by default, left alone when the operator chose otherwise.
import { expect, it } from 'vitest';
import { KEEP_V8_DEFAULTS_ENV, keepYoungGenerationSmall, LARGE_RUN_PROBES, roomForLargeRun } from '../../agent/run/heap.js';

it('keeps the young generation small unless asked for Node defaults or given a semi-space flag', () => {
  expect(keepYoungGenerationSmall({ [KEEP_V8_DEFAULTS_ENV]: '1' }, [])).toBe(false);
  expect(keepYoungGenerationSmall({ NODE_OPTIONS: '--max-semi-space-size=4' }, [])).toBe(false);
  expect(keepYoungGenerationSmall({}, ['--max_semi_space_size=2'])).toBe(false);
  expect(keepYoungGenerationSmall({ NODE_OPTIONS: '--inspect' }, ['--enable-source-maps'])).toBe(true);
});

it('gives a large run V8 young-generation growth, and holds it again when the last large run ends', () => {
  expect(keepYoungGenerationSmall({}, [])).toBe(true);
  const set: string[] = [];
  const record = (flags: string) => void set.push(flags);
  roomForLargeRun(LARGE_RUN_PROBES - 1, record)();
  expect(set).toEqual([]);
  const a = roomForLargeRun(LARGE_RUN_PROBES, record);
  const b = roomForLargeRun(LARGE_RUN_PROBES * 10, record);
  a();
  a();
  expect(set).toEqual(['--semi-space-growth-factor=2']);
  b();
  expect(set).toEqual(['--semi-space-growth-factor=2', '--semi-space-growth-factor=1']);
});
