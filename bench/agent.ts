// Our agent as the real daemon process (node dist/agent/cli/main.js), the way a service manager runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { stopChild } from '../test/lab/child.js';
import { get, ROOT, until } from './lib.js';

export const CLI = join(ROOT, 'dist', 'agent', 'cli', 'main.js');

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

export interface Daemon {
  pid: number;
  base: string;
  startedAt: number;
  /** Log lines so far, parsed (pino JSON). */
  logs(): LogLine[];
  metrics(): Promise<string>;
  stop(): Promise<number | null>;
}

export function writeConfig(dir: string, name: string, config: Record<string, unknown>): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

export async function startDaemon(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<Daemon> {
  const startedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    const text = partial + d.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as LogLine);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let port = 0;
  await until(() => {
    if (child.exitCode !== null) throw new Error(`agent exited: ${stderr}`);
    const line = lines.find((l) => l.msg === 'listening');
    if (line) port = Number(String(line.listen).split(':').pop());
    return port > 0;
  }, 20_000, 'the agent to listen', 5);
  const base = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    base,
    startedAt,
    logs: () => lines,
    metrics: async () => (await get(`${base}/metrics`)).body,
    stop: () => stopChild(child, 'SIGTERM', 10_000),
  };
}

/** Milliseconds from spawn until /-/ready answers 200 (polled every 5 ms). */
export async function waitReady(d: Daemon, withinMs = 60_000): Promise<number> {
  await until(async () => {
    try {
      return (await get(`${d.base}/-/ready`, 2000)).status === 200;
    } catch {
      return false;
    }
  }, withinMs, 'the agent to be ready', 5);
  return performance.now() - d.startedAt;
}
