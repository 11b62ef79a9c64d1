// Runs the `logs` command in-process with PassThrough streams, the way agent/cli.ts will.
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runLogsCommand } from '../../agent/proxylog/command.js';
import type { LogsReport } from '../../agent/proxylog/report.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/proxylog/', import.meta.url));

export interface LogsRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runLogs(argv: string[], stdin?: Buffer | string): Promise<LogsRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  const collected = { stdout: '', stderr: '' };
  out.on('data', (c: Buffer) => (collected.stdout += c.toString()));
  err.on('data', (c: Buffer) => (collected.stderr += c.toString()));
  const code = await runLogsCommand(argv, out, err, stdin === undefined ? undefined : Readable.from([Buffer.from(stdin)]));
  return { code, ...collected };
}

/** Runs with --json and parses the report. */
export async function analyseJson(argv: string[], stdin?: Buffer | string): Promise<{ code: number; report: LogsReport }> {
  const run = await runLogs([...argv, '--json'], stdin);
  if (run.stderr) throw new Error(`logs wrote to stderr: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout) as LogsReport };
}

export function fixture(name: string): string {
  return FIXTURES + name;
}
