// Small pieces the bench shares: the repository root, /proc readings, percentiles, bounded waits, a Prometheus text reader.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whether we run from bench/*.ts (vitest) or dist-bench/bench/*.js. */
export const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'agent'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('repository root not found');
})();

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds of one process so far (/proc/PID/stat, clock-tick resolution). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export interface CpuSplit {
  mainUser: number;
  mainSys: number;
  /** Every other thread: V8's compiler and GC helpers, libuv's pool (DNS, file reads), the inspector. */
  otherUser: number;
  otherSys: number;
}

/** CPU seconds of one process so far, the main thread (the event loop) apart from its other threads. */
export function cpuSplit(pid: number): CpuSplit {
  const ticks = (file: string) => {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[11]) / CLK_TCK, Number(fields[12]) / CLK_TCK] as const;
  };
  const [user, sys] = ticks(`/proc/${pid}/stat`);
  const [mainUser, mainSys] = ticks(`/proc/${pid}/task/${pid}/stat`);
  return { mainUser, mainSys, otherUser: user - mainUser, otherSys: sys - mainSys };
}

export function splitSince(before: CpuSplit, after: CpuSplit): CpuSplit {
  return { mainUser: after.mainUser - before.mainUser, mainSys: after.mainSys - before.mainSys, otherUser: after.otherUser - before.otherUser, otherSys: after.otherSys - before.otherSys };
}

/** Resident set size in bytes (/proc/PID/status VmRSS). */
export function rssBytes(pid: number): number {
  return memory(pid).rss;
}

/** VmRSS and its two parts: anonymous (heap, stacks, buffers) and file-backed (the node binary's pages, shared). */
export function memory(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/**
 * The process's open TCP connections to any of `remotePorts` (the proxy's): probe sockets only, not the listening
 * socket or a scrape connection, which a plain socket count would include.
 */
export function connectionsTo(pid: number, remotePorts: readonly number[]): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed while we looked
    }
  }
  const ports = new Set(remotePorts);
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const remotePort = Number.parseInt(fields[2]!.split(':')[1] ?? '', 16);
      if (ports.has(remotePort) && inodes.has(fields[9]!)) n++;
    }
  }
  return n;
}

/** Nearest-rank percentile of an unsorted sample; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` is true, polling every `everyMs`; rejects after `withinMs`. Bounded in time and count. */
export async function until(check: () => boolean | Promise<boolean>, withinMs: number, what: string, everyMs = 20): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (let i = 0; i < Math.ceil(withinMs / everyMs) + 1; i++) {
    if (await check()) return;
    if (Date.now() > deadline) break;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
}

/** Waits until the wall clock is `offsetMs` past a whole second (cron ticks fall on whole seconds). */
export async function alignToSecond(offsetMs: number): Promise<void> {
  const now = Date.now() % 1000;
  await sleep((offsetMs - now + 1000) % 1000 || 1000);
}

export async function get(url: string, timeoutMs = 15_000): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Samples of one metric from Prometheus text exposition. */
export function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labels: Record<string, string> = {};
    let valueText = rest.trim();
    if (rest[0] === '{') {
      const close = rest.lastIndexOf('}');
      for (const m of rest.slice(1, close).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
      valueText = rest.slice(close + 1).trim();
    }
    out.push({ labels, value: Number(valueText.split(' ')[0]) });
  }
  return out;
}

export const sum = (xs: Sample[]) => xs.reduce((a, s) => a + s.value, 0);

/** Ends a bench script that runs past `minutes` (exit code 3), so that a hung set-up never holds the machine. */
export function stopAfter(minutes: number, name: string): void {
  setTimeout(() => {
    process.stderr.write(`${name}: over ${minutes} minutes, stopping\n`);
    process.exit(3);
  }, minutes * 60_000).unref();
}
