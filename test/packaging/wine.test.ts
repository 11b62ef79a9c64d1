// The Windows package as an admin gets it: built from this working tree, unzipped into a fresh Wine prefix's
// C:\Program Files, and its own node.exe running the agent against the loopback lab (a real squid, the test CA's
// "Microsoft" servers). One prefix for the whole file: making one costs 10-20 s.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWinHttpSettings } from '../../agent/host/winhttp.js';
import { httpGet } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { freePort, waitFor } from '../lab/squid.js';
import { createPrefix, unzipInto, zPath, type WinePrefix, type WineProcess } from '../lab/wine.js';

const ROOT = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const MACHINE_CONFIG = 'C:\\windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config';

let lab: Lab;
let prefix: WinePrefix;
let install: { linux: string; windows: string };
let zip: string;
let work: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  const started = performance.now();
  work = mkdtempSync(join(tmpdir(), 'ecm-winpkg-'));
  // The build (offline: scripts/test.sh fetched the pinned tarballs) and the prefix take the longest: at the same time.
  const built = promisify(execFile)(process.execPath, [join(ROOT, 'packaging', 'windows', 'build.mjs'), '--offline', '--out', work], { cwd: ROOT });
  [, prefix, lab] = await Promise.all([built, createPrefix(), startLab()]);
  zip = join(work, `entra-connect-monitor-${VERSION}-win-x64.zip`);
  install = unzipInto(prefix, zip);
  // The machine.config of this "server", where the prerequisites page says it is, naming the lab's squid. Without
  // useDefaultCredentials: with it the route answers the proxy with Negotiate, which needs SSPI wired in (README-windows.md).
  const configDir = join(prefix.driveC, 'windows', 'Microsoft.NET', 'Framework64', 'v4.0.30319', 'Config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'machine.config'),
    `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <system.net>\n    <defaultProxy useDefaultCredentials="false">\n      <proxy usesystemdefault="false" proxyaddress="http://127.0.0.1:${lab.squid.port}" bypassonlocal="false"/>\n    </defaultProxy>\n  </system.net>\n</configuration>\n`,
  );
  // And its WinHTTP proxy (`netsh winhttp set proxy`), which the default winhttp route reads for revocation: the
  // same squid. A fresh prefix's WinHTTP goes direct, which would send the certificate rows past the lab.
  const winhttp = encodeWinHttpSettings(`127.0.0.1:${lab.squid.port}`, '<local>').toString('hex');
  const reg = await prefix.run(['reg', 'add', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections', '/v', 'WinHttpSettings', '/t', 'REG_BINARY', '/d', winhttp, '/f']);
  if (reg.status !== 0) throw new Error(`reg add WinHttpSettings exited ${reg.status}: ${reg.stderr}`);
  timings.setup = performance.now() - started;
}, 240_000);

afterAll(async () => {
  await prefix?.close();
  await lab?.stop();
  console.log(`wine package timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
});

/** node.exe with the agent, as the scheduled task runs it. */
const agentArgs = (...args: string[]) => [`${install.windows}\\node.exe`, `${install.windows}\\app\\dist\\agent\\cli\\main.js`, ...args];
/** The lab's CA, which the "Microsoft" servers' certificates chain to. */
const caEnv = () => ({ NODE_EXTRA_CA_CERTS: zPath(lab.ca.certFile) });
const expectedRoots = () => `tls:\n  expectedRootsFile: '${zPath(lab.ca.certFile)}'\n`;

describe('the zip', () => {
  it('holds node.exe, the agent and production dependencies only, with one timestamp and sorted entries', () => {
    // One line per entry ("-rw-r--r--  3.0 unx  1262 t- defN 20261201.222308 app/config/agent.yaml"), between a header and a total.
    const listing = execFileSync('unzip', ['-Z', '-T', zip], { encoding: 'utf8' }).split('\n').filter((line) => /^[-d]r/.test(line));
    const entries = listing.map((line) => {
      const fields = line.trim().split(/\s+/);
      return { time: fields[6]!, name: fields.slice(7).join(' ') };
    });
    const names = entries.map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(entries.map((e) => e.time)).size).toBe(1);
    for (const file of ['node.exe', 'entra-connect-monitor.cmd', 'install.ps1', 'uninstall.ps1', 'entra-connect-monitor.task.xml', 'README-windows.md', 'app/package.json', 'app/dist/agent/cli/main.js', 'app/config/agent.yaml', 'app/dashboards/alerts.yaml', 'app/node_modules/prom-client/package.json', 'app/node_modules/win-sso/prebuilds/win32-x64/win-sso.node']) {
      expect(names, file).toContain(file);
    }
    expect(names.filter((n) => n.endsWith('.map') && n.startsWith('app/dist/'))).toEqual([]);
    expect(names.filter((n) => /^app\/node_modules\/(typescript|vitest|eslint|@types|fast-check|undici)\//.test(n))).toEqual([]);
    expect(names.filter((n) => n.endsWith('.node'))).toEqual(['app/node_modules/win-sso/prebuilds/win32-x64/win-sso.node']);
    expect(readFileSync(join(install.linux, 'entra-connect-monitor.task.xml'), 'utf8')).toBe(readFileSync(join(ROOT, 'packaging', 'windows', 'entra-connect-monitor.task.xml'), 'utf8'));
  });
});

describe('the Windows package under Wine', () => {
  it('entra-connect-monitor.cmd runs the bundled node.exe from any folder and passes its arguments on', async () => {
    const run = await prefix.run(['cmd', '/c', `${install.windows}\\entra-connect-monitor.cmd`, '--help'], { cwd: work });
    timings.help = run.ms;
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`entra-connect-monitor ${VERSION}: monitors Microsoft Entra Connect connectivity`);
    expect(run.stdout).toContain('entra-connect-monitor stop|reload [--control.pipe NAME]');
    const version = await prefix.run(['cmd', '/c', `${install.windows}\\entra-connect-monitor.cmd`, '--version']);
    expect(version.stdout.trim()).toBe(VERSION);
    const platform = await prefix.run([`${install.windows}\\node.exe`, '-p', 'process.platform + " " + process.version']);
    expect(platform.stdout.trim()).toBe(`win32 ${process.version}`);
  });

  it('check --json with no routes configured probes through the proxy in the default machine.config, revocation through WinHTTP\'s', async () => {
    const accessBefore = readFileSync(lab.squid.accessLog, 'utf8').length;
    // Only the lab's root as the root Microsoft's endpoints chain to (else every probe is, rightly, tls_intercepted).
    const config = join(work, 'roots-only.yaml');
    writeFileSync(config, expectedRoots());
    const run = await prefix.run(agentArgs('check', '--json', '--config', zPath(config)), { env: caEnv(), timeoutMs: 90_000 });
    timings.check = run.ms;
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as {
      routes: Array<{ route: string; kind: string; proxy: string | null; carries: string; revocation: string; proxyReachable: boolean; machineConfig?: { path: string; proxyAddress: string | null } }>;
      results: Array<{ endpoint: string; route: string; url: string; success: boolean; reason?: string }>;
    };
    expect(report.routes).toHaveLength(2);
    expect(report.routes[0]).toMatchObject({ route: 'machine-config', kind: 'machine_config', carries: 'all', revocation: 'winhttp', proxyReachable: true, machineConfig: { path: MACHINE_CONFIG, proxyAddress: `http://127.0.0.1:${lab.squid.port}` } });
    expect(report.routes[1]).toMatchObject({ route: 'winhttp', kind: 'winhttp', carries: 'revocation', proxy: `http://127.0.0.1:${lab.squid.port}` });
    expect(report.results.length).toBeGreaterThan(3);
    expect(report.results.filter((r) => !r.success)).toEqual([]);
    // The certificate rows go the way CryptoAPI fetches them (WinHTTP), the rest the sync engine's way.
    const certificate = (r: { url: string }) => r.url.startsWith('http:');
    expect(new Set(report.results.filter(certificate).map((r) => r.route))).toEqual(new Set(['winhttp']));
    expect(new Set(report.results.filter((r) => !certificate(r)).map((r) => r.route))).toEqual(new Set(['machine-config']));
    // WinHTTP and machine.config name the same proxy: the server has no error, so check exits 0.
    const host = (report as { host?: { findings: Array<{ code: string; severity: string }> } }).host;
    expect(host?.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([]);
    expect(run.status).toBe(0);
    // Every endpoint went through squid: a CONNECT for each HTTPS one, an absolute-form GET for each HTTP one.
    const access = readFileSync(lab.squid.accessLog, 'utf8').slice(accessBefore);
    for (const r of report.results) {
      const url = new URL(r.url);
      expect(access, r.endpoint).toContain(url.protocol === 'https:' ? `CONNECT ${url.hostname}:443` : `GET ${url.origin}`);
    }
  });

  it('a bad configuration file: one line naming the file, the key and the problem, exit 2', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'probes:\n  timeoutSeconds: -3\n');
    const run = await prefix.run(agentArgs('check', '--config', zPath(bad)));
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split(/\r?\n/)).toEqual([expect.stringMatching(new RegExp(`^entra-connect-monitor: ${zPath(bad).replaceAll('\\', '\\\\')}: probes\\.timeoutSeconds: .+`))]);
  });

  it("carries win-sso's win32-x64 SSPI binding, which loads from the agent's folder and names the account", async () => {
    const sspi = `${install.windows}\\app\\dist\\agent\\net\\sspi.js`;
    const script = `import(require('node:url').pathToFileURL(${JSON.stringify(sspi)}).href).then((m) => console.log(JSON.stringify(m.sspiStatus())))`;
    const run = await prefix.run([`${install.windows}\\node.exe`, '-e', script]);
    expect(run.stderr).toBe('');
    const status = JSON.parse(run.stdout) as { available: boolean; account?: string };
    expect(status.available).toBe(true);
    expect(status.account).toMatch(/^[^\\]+\\[^\\]+$/); // DOMAIN\user; Wine has no credentials to go further
  });

  describe('the daemon', () => {
    let daemon: WineProcess;
    let base: string;
    let logFile: string;

    beforeAll(async () => {
      const port = await freePort();
      const config = join(work, 'agent.yaml');
      writeFileSync(config, `${expectedRoots()}listen: "127.0.0.1:${port}"\nroutes:\n  - name: machine-config\n    machineConfig: default\nprobes:\n  schedule: "*/2 * * * * *"\n  timeoutSeconds: 5\nidle:\n  enabled: false\n`);
      logFile = join(work, 'logs', 'agent.log');
      daemon = prefix.start(agentArgs('run', '--config', zPath(config), '--log.file', zPath(logFile), '--log.max-size', '1MB'), { env: caEnv() });
      base = `http://127.0.0.1:${port}`;
      const started = performance.now();
      await waitFor(async () => {
        if (daemon.child.exitCode !== null) throw new Error(`the agent exited: ${daemon.stderr()}`);
        return (await httpGet(`${base}/-/ready`).catch(() => ({ status: 0 }))).status === 200;
      }, 60_000, 'the agent under Wine to be ready', 250);
      timings.daemonReady = performance.now() - started;
    }, 90_000);

    afterAll(async () => {
      await daemon?.kill();
    });

    const logLines = () => readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

    it('logs to its file and serves /metrics to a scrape from Linux', async () => {
      const { status, body } = await httpGet(`${base}/metrics`);
      expect(status).toBe(200);
      expect(body).toMatch(/^entra_connect_probe_success\{endpoint="adminwebservice",route="machine-config"[^}]*\} 1$/m);
      expect(body).toMatch(/^entra_connect_machine_config_info\{route="machine-config",path="C:\\\\windows\\\\Microsoft.NET\\\\Framework64\\\\v4.0.30319\\\\Config\\\\machine.config"/m);
      expect(daemon.stdout()).toBe('');
      const msgs = logLines().map((l) => l.msg);
      expect(msgs).toEqual(expect.arrayContaining(['listening', 'control channel open', 'agent started', 'probe run complete']));
      expect(logLines().find((l) => l.msg === 'control channel open')?.control).toBe('\\\\.\\pipe\\entra-connect-monitor');
    });

    it('reloads with POST /-/reload and through the control pipe', async () => {
      const reload = await httpGet(`${base}/-/reload`, { method: 'POST' });
      expect(reload).toMatchObject({ status: 200, body: 'Reloaded\n' });
      const viaPipe = await prefix.run(agentArgs('reload'));
      expect(viaPipe).toMatchObject({ status: 0, stdout: expect.stringMatching(/^reloaded\r?\n$/) });
      expect(logLines().filter((l) => l.msg === 'configuration reloaded: the new plan starts with the next run')).toHaveLength(2);
    });

    it('`stop` reaches the bounded shutdown: the agent logs it and exits 0 within 2 s', async () => {
      const started = performance.now();
      let exitedAt = 0;
      const [stop, code] = await Promise.all([
        prefix.run(agentArgs('stop'), { timeoutMs: 60_000 }),
        daemon.exited.then((c) => {
          exitedAt = Date.now();
          return c;
        }),
      ]);
      timings.stop = performance.now() - started; // includes starting a second node.exe under Wine
      expect(stop.status).toBe(0);
      expect(stop.stdout).toMatch(/^stopping; the agent has exited\r?\n$/);
      expect(code).toBe(0);
      const shutdown = logLines().find((l) => l.msg === 'shut down');
      expect(shutdown).toMatchObject({ signal: 'control', orderly: true });
      expect(Number(shutdown?.seconds)).toBeLessThan(2);
      // From the moment the agent began its shutdown (its log line's time less its duration) to the process gone, as
      // Linux sees it: the 2 s bound, plus a second for this loaded machine to notice.
      const began = Date.parse(String(shutdown?.time)) - Number(shutdown?.seconds) * 1000;
      timings.shutdownToExit = exitedAt - began;
      expect(exitedAt - began).toBeLessThan(3_000);
      await expect(httpGet(`${base}/-/healthy`)).rejects.toThrow();
    });

    it('`stop` with no agent running says so in one line and exits 1', async () => {
      const run = await prefix.run(agentArgs('stop'));
      expect(run.status).toBe(1);
      expect(run.stderr.trimEnd()).toMatch(/^entra-connect-monitor: stop: no agent answered on \\\\\.\\pipe\\entra-connect-monitor \(\w+\)$/);
    });
  });
});
