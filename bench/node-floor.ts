// Starts bench/node-floor.mjs, the bare Node prober: its CPU per probe, beside blackbox_exporter's in the same run, is
// what Node itself costs for the bench's probe; ours above it is what the agent adds.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { stopChild } from '../test/lab/child.js';
import { get, ROOT, until } from './lib.js';
import type { BlackboxProbe } from './setup.js';

/** A prober driven the way Prometheus drives blackbox_exporter: one GET per probe. */
export interface Prober {
  pid: number;
  probe(target: string): Promise<BlackboxProbe>;
  stop(): Promise<void>;
}

export const FLOOR_SCRIPT = join(ROOT, 'bench', 'node-floor.mjs');

/** Starts the floor prober as a process of its own (its CPU is read from /proc like blackbox_exporter's). */
export async function startFloor(proxyPort: number, caFile: string, nodeArgs: readonly string[] = []): Promise<Prober> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, FLOOR_SCRIPT, String(proxyPort), caFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  await until(() => {
    if (exited) throw new Error(`node-floor exited at start: ${err}`);
    return out.includes('\n');
  }, 15_000, 'node-floor to listen', 20);
  const base = `http://127.0.0.1:${Number(out.trim())}`;
  return {
    pid: child.pid!,
    async probe(target) {
      const { body } = await get(`${base}/probe?target=${encodeURIComponent(target)}`);
      const phases: Record<string, number> = {};
      for (const m of body.matchAll(/^probe_http_duration_seconds\{phase="(\w+)"\} (\S+)$/gm)) phases[m[1]!] = Number(m[2]);
      return { success: /^probe_success 1$/m.test(body), durationSeconds: Number(/^probe_duration_seconds (\S+)$/m.exec(body)?.[1] ?? Number.NaN), phases };
    },
    async stop() {
      await stopChild(child);
    },
  };
}
