// The agent as a real process against the loopback lab: a real squid that denies one endpoint and has a port that
// wants authentication, a TLS server signed by the test CA, a real /metrics scrape.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../agent/probes/classify.js';
import { httpGet, listenPort, runCli, startAgent, type AgentProcess } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { waitFor } from '../lab/squid.js';

const PASSWORD = 'Tr0ub4dor&3-secret';
let lab: Lab;
let agent: AgentProcess;
let base: string;
let configFile: string;

beforeAll(async () => {
  lab = await startLab({ deny: ['provisioningapi.partner.microsoftonline.cn'], users: { 'svc-sync': PASSWORD } });
  const passwordFile = join(lab.dir, 'proxy-password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  configFile = lab.writeConfig({
    cloud: 'china',
    listen: '127.0.0.1:0',
    tls: lab.tls,
    routes: [
      { name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` },
      { name: 'auth-proxy', proxy: `http://127.0.0.1:${lab.squid.authPort}` },
      { name: 'auth-proxy-creds', proxy: `http://127.0.0.1:${lab.squid.authPort}`, credentials: { username: 'svc-sync', passwordFile } },
    ],
    probes: { schedule: '*/2 * * * * *', timeoutSeconds: 5, concurrency: 8 },
    idle: { enabled: false },
    log: { level: 'debug' },
  });
  agent = startAgent(['--config', configFile]);
  base = `http://127.0.0.1:${await listenPort(agent)}`;
  await waitFor(async () => (await httpGet(`${base}/-/ready`)).status === 200, 30_000, 'the agent to be ready');
});

afterAll(async () => {
  await agent?.stop();
  await lab?.stop();
});

function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('the agent process', () => {
  it('is healthy and ready after its first run', async () => {
    expect((await httpGet(`${base}/-/healthy`)).status).toBe(200);
    expect((await httpGet(`${base}/-/ready`)).status).toBe(200);
  });

  it('exports the metric contract with endpoint and route labels', async () => {
    const { status, body, headers } = await httpGet(`${base}/metrics`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/plain');
    for (const name of [
      'entra_connect_endpoint_info', 'entra_connect_probe_success', 'entra_connect_probe_duration_seconds', 'entra_connect_probe_phase_duration_seconds',
      'entra_connect_probe_latency_seconds_bucket', 'entra_connect_probes_total', 'entra_connect_probe_failures_total', 'entra_connect_probe_failure_reason',
      'entra_connect_probe_http_status_code', 'entra_connect_probe_proxy_status_code', 'entra_connect_probe_last_run_timestamp_seconds',
      'entra_connect_build_info', 'entra_connect_config_last_reload_successful', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds',
    ]) {
      expect(body, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(sample(body, 'entra_connect_probe_success', { endpoint: 'adminwebservice', route: 'corp-proxy' })).toBe(1);
    expect(sample(body, 'entra_connect_probe_phase_duration_seconds', { endpoint: 'adminwebservice', route: 'corp-proxy', phase: 'proxy_connect' })).toBeGreaterThan(0);
    expect(sample(body, 'entra_connect_endpoint_info', { endpoint: 'adminwebservice', category: 'directory', cloud: 'china', port: '443' })).toBe(1);
  });

  it('shows the 403 and the 407 as reasons and proxy status codes', async () => {
    const { body } = await httpGet(`${base}/metrics`);
    expect(sample(body, 'entra_connect_probe_success', { endpoint: 'provisioningapi', route: 'corp-proxy' })).toBe(0);
    expect(sample(body, 'entra_connect_probe_proxy_status_code', { endpoint: 'provisioningapi', route: 'corp-proxy' })).toBe(403);
    expect(sample(body, 'entra_connect_probe_failure_reason', { endpoint: 'provisioningapi', route: 'corp-proxy', reason: 'proxy_denied' })).toBe(1);
    expect(sample(body, 'entra_connect_probe_failure_reason', { endpoint: 'provisioningapi', route: 'corp-proxy', reason: 'timeout' })).toBeUndefined();
    expect(sample(body, 'entra_connect_probe_failures_total', { endpoint: 'provisioningapi', route: 'corp-proxy', reason: 'proxy_denied' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'entra_connect_probe_proxy_status_code', { endpoint: 'login', route: 'auth-proxy' })).toBe(407);
    expect(sample(body, 'entra_connect_probe_proxy_auth_scheme_info', { endpoint: 'login', route: 'auth-proxy', scheme: 'Basic' })).toBe(1);
    expect(sample(body, 'entra_connect_probe_success', { endpoint: 'login', route: 'auth-proxy-creds' })).toBe(1);
    // Counters of every reason exist from the start, so increase() sees a first failure.
    for (const reason of FAILURE_REASONS) expect(sample(body, 'entra_connect_probe_failures_total', { endpoint: 'login', route: 'corp-proxy', reason })).toBeDefined();
  });

  it('answers OpenMetrics when asked', async () => {
    const { body, headers } = await httpGet(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(headers.get('content-type')).toContain('application/openmetrics-text');
    expect(body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('logs each failed probe with its reason and remedy, and a summary per run', () => {
    const logs = agent.logs();
    const denied = logs.find((l) => l.msg === 'probe failed' && l.endpoint === 'provisioningapi' && l.route === 'corp-proxy');
    expect(denied).toMatchObject({ level: 'warn', reason: 'proxy_denied' });
    expect(String(denied?.remedy)).toContain("hasn't been opened for the requested URL");
    expect(logs.some((l) => l.msg === 'probe run complete' && typeof l.probes === 'number')).toBe(true);
    expect(logs.some((l) => l.msg === 'probe succeeded' && typeof l.phases === 'object')).toBe(true);
  });

  it('never shows the proxy password: logs, metrics, status page, status JSON', async () => {
    const everything = [agent.stdout(), agent.stderr(), (await httpGet(`${base}/metrics`)).body, (await httpGet(`${base}/`)).body, (await httpGet(`${base}/status`)).body].join('\n');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(`svc-sync:${PASSWORD}`).toString('base64'));
  });

  it('has the exporter habits: 404 for unknown paths, 405 for wrong methods', async () => {
    expect((await httpGet(`${base}/nope`)).status).toBe(404);
    expect((await httpGet(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await httpGet(`${base}/-/reload`)).status).toBe(405);
  });
});

describe('check', () => {
  it('--json gives every result with phases, and exits 1 when a required endpoint fails', async () => {
    const run = await runCli(['check', '--config', configFile, '--json']);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { results: Array<Record<string, unknown>> };
    const denied = report.results.find((r) => r.endpoint === 'provisioningapi' && r.route === 'corp-proxy')!;
    expect(denied).toMatchObject({ success: false, reason: 'proxy_denied', proxyStatus: 403, httpStatus: null, url: 'https://provisioningapi.partner.microsoftonline.cn/provisioningwebservice.svc' });
    expect(typeof denied.remedy).toBe('string');
    const ok = report.results.find((r) => r.endpoint === 'adminwebservice' && r.route === 'corp-proxy')!;
    expect(ok, String(ok.detail)).toMatchObject({ success: true, reason: null, httpStatus: 200, proxyStatus: 200 });
    for (const key of ['endpoint', 'route', 'url', 'success', 'reason', 'httpStatus', 'proxyStatus', 'phases', 'durationSeconds', 'detail', 'remedy']) expect(ok).toHaveProperty(key);
    expect(Object.keys(ok.phases as object)).toEqual(expect.arrayContaining(['dns', 'connect', 'proxy_connect', 'tls', 'request', 'transfer']));
    expect(run.stdout).not.toContain(PASSWORD);
  });

  it('exits 0 when every required endpoint answers, and prints a table', async () => {
    const good = lab.writeConfig({
      cloud: 'china',
      tls: lab.tls,
      routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      catalogue: { exclude: ['provisioningapi'] },
    });
    const run = await runCli(['check', '--config', good]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ENDPOINT\s+ROUTE\s+RESULT\s+TOTAL MS\s+REASON\s+REMEDY/);
    expect(run.stdout).toMatch(/adminwebservice\s+corp-proxy\s+OK/);
  });
});
