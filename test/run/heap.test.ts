// The daemon's V8 settings: applied by default, each left alone when the operator chose otherwise.
import { expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, KEEP_V8_DEFAULTS_ENV, LARGE_RUN_PROBES, NO_OPTIMIZER_FLAG, roomForLargeRun, tuneV8ForDaemon } from '../../agent/run/heap.js';

/** The flags tuneV8ForDaemon sets for this environment and command line, and whether it holds the young generation. */
function tuned(env: NodeJS.ProcessEnv, execArgv: string[]): { held: boolean; set: string[] } {
  const set: string[] = [];
  const held = tuneV8ForDaemon(env, execArgv, (flags) => void set.push(flags));
  return { held, set };
}

it('sizes both generations and turns the optimizing compiler off, unless asked for Node defaults', () => {
  expect(tuned({ NODE_OPTIONS: '--inspect' }, ['--enable-source-maps'])).toEqual({ held: true, set: [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, NO_OPTIMIZER_FLAG, '--semi-space-growth-factor=1'] });
  expect(tuned({ [KEEP_V8_DEFAULTS_ENV]: '1' }, [])).toEqual({ held: false, set: [] });
});

it('leaves alone what the operator set: a semi-space size, an old-generation limit, a compiler flag', () => {
  expect(tuned({ NODE_OPTIONS: '--max-semi-space-size=4' }, [])).toEqual({ held: false, set: [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, NO_OPTIMIZER_FLAG] });
  expect(tuned({}, ['--max_semi_space_size=2']).held).toBe(false);
  expect(tuned({ NODE_OPTIONS: '--max-old-space-size=512' }, []).set).not.toContain(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  for (const flag of ['--opt', '--no-opt', '--max-opt=2', '--lite-mode', '--jitless']) expect(tuned({}, [flag]).set, flag).not.toContain(NO_OPTIMIZER_FLAG);
  expect(tuned({ NODE_OPTIONS: '--jitless' }, []).set).not.toContain(NO_OPTIMIZER_FLAG);
});

it('gives a large run V8 young-generation growth, and holds it again when the last large run ends', () => {
  // The real setter: roomForLargeRun only moves the growth factor once the daemon's set-up has held it.
  expect(tuneV8ForDaemon({}, ['--no-opt'])).toBe(true);
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
