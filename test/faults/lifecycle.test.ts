// Issue 7.3 with real signals to a real child process: SIGTERM/SIGINT exit 0 within 2 s with hung probes and an
// open keep-alive connection, one log line; SIGHUP and POST /-/reload keep the old plan on a bad file (gauge 0, one
// line naming file, key and problem), switch at the next run boundary on a good one (gauge 1, timestamp, gone series dropped).
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { httpGet, listenPort, startAgent, type AgentProcess } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { waitFor } from '../lab/squid.js';
import { within } from './fault-servers.js';

let lab: Lab;
let hang: Server;
let hangPort = 0;
const hung = new Set<Socket>();

beforeAll(async () => {
  lab = await startLab({ extraHosts: ['hang.fault.test'] });
  hang = createServer((s) => {
    hung.add(s);
    s.on('error', () => undefined);
    s.on('close', () => hung.delete(s));
  });
  await within(new Promise<void>((resolve) => hang.listen(0, lab.address, () => resolve())), 5_000, 'the silent server');
  hangPort = (hang.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of hung) s.destroy();
  await within(new Promise<void>((resolve) => hang.close(() => resolve())), 5_000, 'the silent server to close');
  await lab?.stop();
});

function sample(metrics: string, name: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('SIGTERM and SIGINT', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: exits 0 within 2 s with probes hung in TLS, idle tunnels and a keep-alive scrape connection open, logging one line`, async () => {
      const config = lab.writeConfig({
        listen: '127.0.0.1:0',
        tls: lab.tls,
        routes: [{ name: 'squid', proxy: `http://127.0.0.1:${lab.squid.port}` }, { name: 'direct' }],
        resolve: { 'hang.fault.test': lab.address },
        catalogue: { add: [{ id: 'hang', url: `https://hang.fault.test:${hangPort}/` }, { id: 'hang2', url: `http://hang.fault.test:${hangPort}/x` }] },
        probes: { schedule: '* * * * * *', timeoutSeconds: 60, concurrency: 4 },
        idle: { holdSeconds: [30, 60], requiredSeconds: 40, schedule: '* * * * * *' },
      });
      const agent = startAgent(['--config', config]);
      try {
        const port = await listenPort(agent);
        const before = hung.size;
        await waitFor(() => hung.size >= before + 4, 10_000, 'four probes hung on the silent server');
        // The idle cycle's two tunnels, silent on the lab's HTTPS server.
        await waitFor(() => lab.https.connections() >= 2, 10_000, 'two idle tunnels open');
        // A scraper's keep-alive connection, left open.
        const scraper = connect({ host: '127.0.0.1', port });
        scraper.on('error', () => undefined);
        await within(new Promise<void>((resolve) => scraper.once('connect', () => resolve())), 5_000, 'the scrape connection');
        scraper.write('GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
        await within(new Promise<void>((resolve) => scraper.once('data', () => resolve())), 5_000, 'the first answer');
        const linesBefore = agent.logs().length;
        const started = performance.now();
        agent.child.kill(signal);
        const code = await Promise.race([agent.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 5_000))]);
        const ms = performance.now() - started;
        console.log(`${signal}: exit ${String(code)} after ${Math.round(ms)} ms`);
        expect(code).toBe(0);
        expect(ms).toBeLessThan(2000);
        const after = agent.logs().slice(linesBefore);
        expect(after.map((l) => l.msg)).toEqual(['shut down']);
        expect(after[0]).toMatchObject({ signal, level: 'info' });
        expect(agent.stderr()).toBe('');
        await waitFor(() => scraper.destroyed || scraper.readableEnded, 2_000, 'the scrape connection to be closed');
        scraper.destroy();
      } finally {
        await agent.stop('SIGKILL');
      }
    });
  }
});

describe('reload: SIGHUP and POST /-/reload', () => {
  let agent: AgentProcess;
  let base: string;
  let file: string;
  const routeA = { name: 'squid', proxy: `` };
  const good = (routes: Array<Record<string, unknown>>, exclude: string[] = []) => ({
    listen: '127.0.0.1:0',
    tls: lab.tls,
    routes,
    catalogue: {
      exclude,
      // A slow endpoint keeps each run going ~1.2 s, so a reload can land in the middle of one.
      add: [{ id: 'slow', url: 'https://login.partner.microsoftonline.cn/?delayMs=1200' }],
    },
    probes: { schedule: '*/2 * * * * *', timeoutSeconds: 5, concurrency: 16 },
    idle: { enabled: false },
    log: { level: 'debug' },
  });

  beforeAll(async () => {
    routeA.proxy = `http://127.0.0.1:${lab.squid.port}`;
    file = lab.writeConfig(good([routeA, { name: 'extra', proxy: `http://127.0.0.1:${lab.squid.port}` }]), 'reload.yaml');
    agent = startAgent(['--config', file]);
    base = `http://127.0.0.1:${await listenPort(agent)}`;
    await waitFor(async () => (await httpGet(`${base}/-/ready`)).status === 200, 20_000, 'ready');
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('answers 405 to methods other than POST, 413 to a large body', async () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']) {
      const res = await httpGet(`${base}/-/reload`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
    // A body is bounded (1 KiB): a larger one is refused, and nothing is reloaded.
    const n = agent.logs().length;
    expect((await httpGet(`${base}/-/reload`, { method: 'POST', body: 'x'.repeat(4096) })).status).toBe(413);
    expect(agent.logs().slice(n).some((l) => String(l.msg).startsWith('configuration'))).toBe(false);
  });

  it('keeps running on the old configuration when the new file is invalid; gauge 0; one line with file, key and problem', async () => {
    writeFileSync(file, stringify({ ...good([routeA]), probes: { schedule: '*/2 * * * * *', timeoutSeconds: 'soon' } }));
    const n = agent.logs().length;
    agent.child.kill('SIGHUP');
    await waitFor(() => agent.logs().slice(n).some((l) => l.msg?.toString().startsWith('configuration reload failed')), 5_000, 'the reload failure line');
    const lines = agent.logs().slice(n).filter((l) => String(l.msg).startsWith('configuration'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', file, key: 'probes.timeoutSeconds' });
    expect(String(lines[0]!.problem)).toBeTruthy();
    const metrics = (await httpGet(`${base}/metrics`)).body;
    expect(sample(metrics, 'entra_connect_config_last_reload_successful')).toBe(0);
    expect(metrics).toContain('route="extra"');
    // The HTTP answer names no file on this machine.
    const res = await httpGet(`${base}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(res.body).not.toContain(lab.dir);
    expect(res.body).not.toContain('reload.yaml');
    // Still probing on the old plan.
    const count = () => agent.logs().filter((l) => l.msg === 'probe run complete').length;
    const runs = count();
    await waitFor(() => count() > runs, 5_000, 'another run on the old plan');
    expect(agent.logs().filter((l) => l.msg === 'probe run complete').pop()).toMatchObject({ probes: 42 });
  });

  it('switches to a valid file at the next run boundary: the run in progress finishes on the old plan; gauge 1; gone series dropped', async () => {
    const metricsBefore = (await httpGet(`${base}/metrics`)).body;
    const tsBefore = sample(metricsBefore, 'entra_connect_config_last_reload_success_timestamp_seconds')!;
    writeFileSync(file, stringify(good([routeA], ['adminwebservice'])));
    // Land the reload inside a run: wait for a run to end, then for the next one's first results.
    const count = () => agent.logs().filter((l) => l.msg === 'probe run complete').length;
    const runs = count();
    await waitFor(() => count() > runs, 5_000, 'a run to end');
    const n = agent.logs().length;
    await waitFor(() => agent.logs().slice(n).some((l) => l.msg === 'probe succeeded' || l.msg === 'probe failed'), 5_000, 'the next run to start');
    const runsAtReload = count();
    const res = await httpGet(`${base}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(count()).toBe(runsAtReload);
    await waitFor(() => count() >= runsAtReload + 2, 8_000, 'the run in progress and the next one');
    const completes = agent.logs().filter((l) => l.msg === 'probe run complete');
    expect(completes[runsAtReload]).toMatchObject({ probes: 42 }); // the run in progress: old plan, 21 endpoints x 2 routes
    expect(completes[runsAtReload + 1]).toMatchObject({ probes: 20 }); // the next: 20 endpoints x 1 route
    const metrics = (await httpGet(`${base}/metrics`)).body;
    expect(sample(metrics, 'entra_connect_config_last_reload_successful')).toBe(1);
    expect(sample(metrics, 'entra_connect_config_last_reload_success_timestamp_seconds')).toBeGreaterThan(tsBefore);
    expect(metrics).not.toContain('route="extra"');
    expect(metrics).not.toContain('endpoint="adminwebservice"');
    expect(metrics).toContain('endpoint="login"');
    expect(agent.stderr()).toBe('');
  });
});
