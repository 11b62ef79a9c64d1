// V8's young generation for the daemon. The daemon allocates little between runs, but start-up (the schemas, the
// catalogue, the modules) makes V8 grow the new space to 16 MiB of semi-spaces, which then stay committed: about
// 14 MiB of resident memory that an idle agent never uses again (bench/footprint.ts). A growth factor of 1 keeps the
// new space at its initial 1 MiB semi-space. --max-semi-space-size would do the same but is read only at start-up,
// so it cannot be set from here; the growth factor is read each time V8 grows the space.
import { setFlagsFromString } from 'node:v8';

/** Set to 1 to keep Node's own young-generation sizing (e.g. to compare, or when NODE_OPTIONS sets it). */
export const KEEP_V8_DEFAULTS_ENV = 'ENTRA_CONNECT_MONITOR_V8_DEFAULTS';

const YOUNG_GENERATION_FLAGS = /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)\b/;

/** Keeps the young generation small, unless the operator set its size or asked for Node's defaults. */
export function keepYoungGenerationSmall(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  if (env[KEEP_V8_DEFAULTS_ENV] === '1') return false;
  if (YOUNG_GENERATION_FLAGS.test(`${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`.replace(/_/g, '-'))) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
