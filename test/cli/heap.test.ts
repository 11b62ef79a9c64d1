// The daemon's young-generation setting: applied by default, left alone when the operator chose otherwise.
import { expect, it } from 'vitest';
import { KEEP_V8_DEFAULTS_ENV, keepYoungGenerationSmall } from '../../agent/cli/heap.js';

it('keeps the young generation small unless asked for Node defaults or given a semi-space flag', () => {
  expect(keepYoungGenerationSmall({ [KEEP_V8_DEFAULTS_ENV]: '1' }, [])).toBe(false);
  expect(keepYoungGenerationSmall({ NODE_OPTIONS: '--max-semi-space-size=4' }, [])).toBe(false);
  expect(keepYoungGenerationSmall({}, ['--max_semi_space_size=2'])).toBe(false);
  expect(keepYoungGenerationSmall({ NODE_OPTIONS: '--inspect' }, ['--enable-source-maps'])).toBe(true);
});
