// Runs the built CLI as a real child process, the way an admin or a service manager would.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { stopChild } from './child.js';
import { waitFor } from './squid.js';

export const CLI = join(__dirname, '..', '..', 'dist', 'agent', 'cli', 'main.js');

export interface AgentProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Log lines parsed as JSON. */
  logs(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startAgent(args: string[], env: NodeJS.ProcessEnv = {}): AgentProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal),
  };
}

/**
 * Runs the CLI to completion. Asynchronous on purpose: the lab's servers live in the test process, and a
 * synchronous spawn would stop them from answering.
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const agent = startAgent(args, env);
  const timer = setTimeout(() => agent.child.kill('SIGKILL'), timeoutMs);
  const status = await agent.exited;
  clearTimeout(timer);
  return { status, stdout: agent.stdout(), stderr: agent.stderr() };
}

/** The port the agent logged it listens on (it is started on port 0). */
export async function listenPort(agent: AgentProcess, withinMs = 15_000): Promise<number> {
  let port = 0;
  await waitFor(() => {
    const line = agent.logs().find((l) => l.msg === 'listening');
    if (line) port = Number(String(line.listen).split(':').pop());
    if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
    return port > 0;
  }, withinMs, 'the agent to listen');
  return port;
}

export async function httpGet(url: string, init: RequestInit = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
