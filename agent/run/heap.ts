// V8's settings for the daemon: its young generation, its old generation's growth, and no optimizing compiler.
// V8's young generation for the daemon. The daemon allocates little between runs, but start-up (the schemas, the
// catalogue, the modules) makes V8 grow the new space to 16 MiB of semi-spaces, which then stay committed: about
// 14 MiB of resident memory that an idle agent never uses again (bench/footprint.ts). A growth factor of 1 keeps the
// new space at its initial 1 MiB semi-space. --max-semi-space-size would do the same but is read only at start-up,
// so it cannot be set from here; the growth factor is read each time V8 grows the space.
import { setFlagsFromString } from 'node:v8';

/** Set to 1 to keep Node's own young-generation sizing (e.g. to compare, or when NODE_OPTIONS sets it). */
export const KEEP_V8_DEFAULTS_ENV = 'ENTRA_CONNECT_MONITOR_V8_DEFAULTS';

const YOUNG_GENERATION_FLAGS = /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)\b/;
const OLD_GENERATION_FLAGS = /--(max-old-space-size|max-heap-size|heap-growing-percent)\b/;
const COMPILER_FLAGS = /--(no-)?(opt|turbofan|maglev|max-opt|lite-mode|jitless|always-turbofan)\b/;

/**
 * V8's optimizing compiler (TurboFan) stays off. The daemon's JavaScript is not where its CPU goes (TLS and the
 * kernel are; the bench's profile), and TurboFan costs both ways: its code in the node binary is paged in once it
 * runs (about 4 MiB of file-backed resident memory) and its compile jobs take CPU on V8's worker threads. Measured
 * with bench/ (footprint and cost windows): idle VmRSS 68.0 -> 63.4 MiB, CPU per probe unchanged or lower (4.4-4.6
 * against 4.6-5.1 ms), 2,000 probes at concurrency 50 in the same time. Ignition and Sparkplug still run; set at
 * start-up, before any function is hot enough to be optimized.
 */
export const NO_OPTIMIZER_FLAG = '--no-opt';

/**
 * The old generation's next collection comes when it has grown this much (in %) over what the last one kept, instead
 * of V8's dynamic factor (up to 4x on a machine with memory to spare). The agent's live heap is its series and results;
 * what a cycle of 2,000 probes leaves on top of them is garbage, which V8 let reach 2-3x the live heap before
 * collecting: peak RSS 270-340 MB at 1,000 endpoints x 2 routes, 210-220 MB with this (bench/README.md). Unlike a heap
 * limit it caps nothing: a configuration with more series gets a larger heap, not an out-of-memory crash.
 */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Keeps the young generation small, the old one close to its live size and the optimizing compiler off, each unless
 * the operator set it (a flag on node's command line or in NODE_OPTIONS) or asked for Node's defaults. Returns whether
 * the young generation is held small.
 */
export function tuneV8ForDaemon(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv, set: (flags: string) => void = setFlagsFromString): boolean {
  if (env[KEEP_V8_DEFAULTS_ENV] === '1') return false;
  const flags = `${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`.replace(/_/g, '-');
  if (!OLD_GENERATION_FLAGS.test(flags)) set(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!COMPILER_FLAGS.test(flags)) set(NO_OPTIMIZER_FLAG);
  if (YOUNG_GENERATION_FLAGS.test(flags)) return false;
  set('--semi-space-growth-factor=1');
  held = true;
  return true;
}

/** Whether tuneV8ForDaemon set the growth factor (it holds for the process from then on). */
let held = false;
let largeRuns = 0;

/**
 * A run of this many probes or more lets V8 grow the young generation again (its default growth factor, 2) while it
 * lasts. Such a run allocates fast, and with 1 MiB semi-spaces it scavenges so often that the collector took about
 * 60 % more CPU over a cycle of 2,000 probes (bench/README.md); a run of the default catalogue stays far below.
 */
export const LARGE_RUN_PROBES = 200;

/** Gives a large run V8's own young-generation growth; the returned function (call it once, when the run ends) holds it again. */
export function roomForLargeRun(probes: number, set: (flags: string) => void = setFlagsFromString): () => void {
  if (!held || probes < LARGE_RUN_PROBES) return () => undefined;
  if (largeRuns++ === 0) set('--semi-space-growth-factor=2');
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--largeRuns === 0) set('--semi-space-growth-factor=1');
  };
}
