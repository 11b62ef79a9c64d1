// Issue 7.1, 7.5, 7.8 with the agent as a real process: every fault at once, on a schedule, while /metrics keeps
// answering; a squid killed in the middle of a run and brought back (the next run succeeds with no restart); a
// hostile proxy error text that never reaches /metrics; the proxy password nowhere in anything captured.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../agent/probes/classify.js';
import { httpGet, listenPort, runCli, startAgent, type AgentProcess } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { startResetting, startSilent, type Running } from '../lab/servers.js';
import { startSquid, waitFor, type Squid } from '../lab/squid.js';
import { HOSTILE_TEXT, within, startFakeProxy, startGarbageTls, startNxdomainDns, startResetOnData, startTlsAlert, startTlsStall, startTrickle } from './fault-servers.js';

const PASSWORD = 'Daemon-S3cret!pass';
const USER = 'svc-sync';
const NAMES = ['silent.fault.test', 'stall.fault.test', 'alert.fault.test', 'reset.fault.test', 'trickle.fault.test', 'garbage.fault.test'];

let lab: Lab;
let killable: Squid;
let agent: AgentProcess;
let base: string;
let configFile: string;
const peers: Running[] = [];
let dns: Awaited<ReturnType<typeof startNxdomainDns>>;
const scrapes: string[] = [];

interface Result { endpoint: string; route: string; success: boolean; reason: string | null; detail: string | null; durationSeconds: number; startedAt: string }
async function status(): Promise<Result[]> {
  const { body } = await httpGet(`${base}/status`);
  scrapes.push(body);
  return (JSON.parse(body) as { results: Result[] }).results;
}
async function metrics(): Promise<string> {
  const { status: code, body } = await httpGet(`${base}/metrics`);
  expect(code).toBe(200);
  scrapes.push(body);
  return body;
}
const find = (rs: Result[], endpoint: string, route: string) => rs.find((r) => r.endpoint === endpoint && r.route === route);

beforeAll(async () => {
  lab = await startLab({ users: { [USER]: PASSWORD }, extraHosts: NAMES, dnsOnLabAddress: true });
  killable = await startSquid({ hosts: lab.hosts, users: { [USER]: PASSWORD } });
  const pair = lab.ca.issue('faults', NAMES);
  const [silent, stall, alert, reset, resetAccept, trickle, garbage, hostile] = await Promise.all([
    startSilent(lab.address), startTlsStall(lab.address), startTlsAlert(lab.address), startResetOnData(lab.address), startResetting(lab.address),
    startTrickle(pair, lab.address), startGarbageTls(pair, lab.address), startFakeProxy('hostile-error'),
  ]);
  peers.push(silent!, stall!, alert!, reset!, resetAccept!, trickle!, garbage!, hostile!);
  dns = await startNxdomainDns(lab.address, 53);
  const passwordFile = join(lab.dir, 'password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const creds = { username: USER, passwordFile };
  const config = (configFile = lab.writeConfig({
    listen: '127.0.0.1:0',
    tls: { caFile: lab.ca.certFile },
    resolve: { ...lab.hosts, ...Object.fromEntries(NAMES.map((n) => [n, lab.address])) },
    dns: { servers: [`${lab.address}:53`] },
    probes: { schedule: '*/2 * * * * *', timeoutSeconds: 1, concurrency: 16 },
    idle: { enabled: false },
    log: { level: 'trace' },
    catalogue: {
      // the whole catalogue stays: the fault endpoints run beside healthy ones
      add: [
        { id: 'f-silent', url: `http://silent.fault.test:${silent!.port}/` },
        { id: 'f-stall', url: `https://stall.fault.test:${stall!.port}/` },
        { id: 'f-alert', url: `https://alert.fault.test:${alert!.port}/` },
        { id: 'f-reset', url: `https://reset.fault.test:${reset!.port}/` },
        { id: 'f-reset-accept', url: `https://reset.fault.test:${resetAccept!.port}/` },
        { id: 'f-trickle', url: `https://trickle.fault.test:${trickle!.port}/` },
        { id: 'f-garbage', url: `https://garbage.fault.test:${garbage!.port}/` },
        { id: 'f-nowhere', url: 'https://nowhere.fault.test/' },
      ],
    },
    routes: [
      { name: 'squid', proxy: `http://127.0.0.1:${lab.squid.authPort}`, credentials: creds },
      { name: 'killable', proxy: `http://127.0.0.1:${killable.authPort}`, credentials: creds },
      { name: 'direct' },
      { name: 'hostile', proxy: `http://127.0.0.1:${hostile!.port}`, credentials: creds },
    ],
  }));
  agent = startAgent(['--config', config]);
  base = `http://127.0.0.1:${await listenPort(agent)}`;
  await waitFor(async () => (await httpGet(`${base}/-/ready`)).status === 200, 20_000, 'the agent to be ready');
});

afterAll(async () => {
  await agent?.stop();
  await killable?.stop();
  await lab?.stop();
  for (const p of peers) await p.close();
  await dns?.close();
});

describe('the agent process under every fault at once', () => {
  it('names each fault with its reason, bounded by the timeout + 1 s, and keeps serving /metrics', async () => {
    const expected: Array<[string, string, string[]]> = [
      ['f-silent', 'squid', ['timeout']],
      ['f-stall', 'squid', ['timeout']],
      ['f-alert', 'squid', ['tls_handshake']],
      ['f-alert', 'direct', ['tls_handshake']],
      ['f-reset', 'direct', ['connection_reset']],
      ['f-reset-accept', 'direct', ['connection_reset']],
      ['f-reset', 'squid', ['connection_reset', 'proxy_error']],
      ['f-trickle', 'squid', ['timeout']],
      ['f-garbage', 'squid', ['unexpected_body']],
      ['f-nowhere', 'direct', ['dns']],
      ['f-nowhere', 'squid', ['proxy_error']],
      ['adminwebservice', 'hostile', ['proxy_error']],
      ['adminwebservice', 'squid', ['success']],
      ['adminwebservice', 'direct', ['success']],
    ];
    const results = await status();
    for (const [endpoint, route, reasons] of expected) {
      const r = find(results, endpoint, route);
      expect(r, `${endpoint}/${route}`).toBeDefined();
      expect(reasons, `${endpoint}/${route}: ${r!.detail}`).toContain(r!.reason ?? 'success');
      expect(r!.durationSeconds, `${endpoint}/${route}`).toBeLessThan(2);
    }
    expect(find(results, 'f-nowhere', 'squid')!.detail).toMatch(/ERR_[A-Z_]+/);
    // /metrics answers promptly while runs full of faults go on.
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await metrics();
      expect(performance.now() - started).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(agent.child.exitCode).toBeNull();
  });

  it('puts no remote text in a label: the hostile proxy error is in the detail only, never in /metrics', async () => {
    const body = await metrics();
    expect(body).not.toContain('EVIL_MARKER');
    expect(body).not.toContain('injected_metric');
    const hostile = find(await status(), 'adminwebservice', 'hostile');
    expect(hostile?.detail).toContain('EVIL_MARKER');
    expect(hostile?.detail).not.toContain('\n');
    // Every label value of ours is from the configuration, the catalogue or a closed set.
    const routes = new Set(['squid', 'killable', 'direct', 'hostile']);
    for (const line of body.split('\n')) {
      if (!line.startsWith('entra_connect_')) continue;
      for (const [, name, value] of line.matchAll(/(\w+)="([^"]*)"/g)) {
        if (name === 'route') expect(routes, line).toContain(value);
        if (name === 'reason') expect(FAILURE_REASONS as readonly string[], line).toContain(value);
        if (name === 'endpoint') expect(value, line).toMatch(/^[a-z0-9-]+$/);
      }
    }
    expect(HOSTILE_TEXT).toContain('EVIL_MARKER');
    // The README's series count: at most 55 per endpoint x route, 46 for a healthy TLS target, 47 when its proxy
    // asks for authentication (the proxy_auth phase), as route squid's does.
    const perTarget = new Map<string, number>();
    for (const line of body.split('\n')) {
      const e = /endpoint="([^"]+)"/.exec(line)?.[1];
      const r = /route="([^"]+)"/.exec(line)?.[1];
      if (line.startsWith('entra_connect_') && e && r) perTarget.set(`${e}/${r}`, (perTarget.get(`${e}/${r}`) ?? 0) + 1);
    }
    expect(perTarget.size).toBe((20 + 8) * 4);
    for (const [target, n] of perTarget) expect(n, target).toBeLessThanOrEqual(55);
    expect(perTarget.get('adminwebservice/squid')).toBe(47);
  });

  it('a squid killed in the middle of a run: proxy_unreachable or connection_reset, then success once it is back, with no restart', async () => {
    const runsComplete = () => agent.logs().filter((l) => l.msg === 'probe run complete').length;
    const before = runsComplete();
    await waitFor(() => runsComplete() > before, 5_000, 'a run to end');
    const linesAtEnd = agent.logs().length;
    // The next run has started once new probe results show up; its timeouts keep it going for about a second.
    await waitFor(() => agent.logs().slice(linesAtEnd).some((l) => l.msg === 'probe succeeded' || l.msg === 'probe failed'), 5_000, 'the next run to start');
    const runsAtKill = runsComplete();
    const killedAt = Date.now();
    killable.process.kill('SIGKILL');
    await within(new Promise<void>((resolve) => (killable.process.exitCode !== null || killable.process.signalCode !== null ? resolve() : killable.process.once('exit', () => resolve()))), 5_000, 'squid to die');
    expect(runsComplete(), 'the kill landed in the middle of a run').toBe(runsAtKill);

    await waitFor(async () => {
      const r = find(await status(), 'adminwebservice', 'killable');
      return r !== undefined && Date.parse(r.startedAt) > killedAt + 100 && r.reason !== null;
    }, 8_000, 'a run after the kill');
    const after = (await status()).filter((r) => r.route === 'killable' && Date.parse(r.startedAt) > killedAt - 2000);
    const summary = new Map<string, number[]>();
    for (const r of after) summary.set(r.reason ?? 'success', [...(summary.get(r.reason ?? 'success') ?? []), Math.round(r.durationSeconds * 1000)]);
    // The probes that were in flight through it when it died end right after the kill: read them from the log.
    const inFlight = agent.logs().filter((l) => l.route === 'killable' && l.msg === 'probe failed' && Date.parse(String(l.time)) >= killedAt && Date.parse(String(l.time)) < killedAt + 1200);
    console.log(`squid killed mid-run, in flight: ${inFlight.map((l) => `${String(l.endpoint)}=${String(l.reason)} (${Math.round(Number(l.durationSeconds) * 1000)} ms)`).join(', ')}`);
    for (const l of inFlight) expect(['proxy_unreachable', 'connection_reset', 'timeout', 'tls_handshake', 'proxy_error'], String(l.detail)).toContain(l.reason);
    console.log(`squid killed, next run: ${[...summary].map(([reason, ms]) => `${reason} x${ms.length} (max ${Math.max(...ms)} ms)`).join(', ')}`);
    for (const r of after) expect(r.durationSeconds, `${r.endpoint}: ${r.detail}`).toBeLessThan(2);
    for (const r of after.filter((x) => !x.endpoint.startsWith('f-') && Date.parse(x.startedAt) > killedAt + 100)) {
      expect(r.reason, `${r.endpoint}: ${r.detail}`).toBe('proxy_unreachable');
    }
    expect(agent.child.exitCode).toBeNull();

    killable = await startSquid({ hosts: lab.hosts, users: { [USER]: PASSWORD }, port: killable.port, authPort: killable.authPort });
    const backAt = Date.now();
    await waitFor(async () => {
      const r = find(await status(), 'adminwebservice', 'killable');
      return r !== undefined && Date.parse(r.startedAt) > backAt && r.success;
    }, 10_000, 'a successful run through the restarted squid');
    expect(agent.child.exitCode).toBeNull();
  });

  it('never shows the proxy password: logs at trace level, metrics, status, errors, check output', async () => {
    scrapes.push((await httpGet(`${base}/`)).body, await metrics());
    for (const args of [['check', '--json'], ['check']]) {
      const run = await runCli([...args, '--config', configFile], {}, 30_000);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('f-trickle');
      scrapes.push(run.stdout, run.stderr);
    }
    const everything = [agent.stdout(), agent.stderr(), ...scrapes].join('\n');
    expect(agent.stdout().length).toBeGreaterThan(10_000);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    // No path of this machine in an HTTP answer (the status JSON names the configuration file by its name only).
    for (const answer of scrapes.slice(0, -4)) expect(answer).not.toContain(lab.dir);
    // Nothing crashed: an unhandled rejection would have printed to stderr and ended the process.
    expect(agent.stderr()).toBe('');
    expect(agent.child.exitCode).toBeNull();
  });
});
