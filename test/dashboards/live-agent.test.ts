// Issue 5's proof that dashboards, alerts and the agent match: the real agent probes the loopback lab (real squid,
// one endpoint denied, a route needing auth, a route from machine.config), a real Prometheus scrapes it and loads the
// rules, and every panel, variable and rule expression is evaluated through Prometheus's HTTP API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, listenPort, startAgent, type AgentProcess } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { FAKE_DENIED_HOSTS, FAKE_IDP_HOSTS, fakeLoginService } from '../lab/login-service.js';
import { waitFor } from '../lab/squid.js';
import { ALERTS_FILE, allPanels, loadAlertRules, loadDashboards, panelExprs, substituteGrafanaVariables, variableQueries } from './dashboard-files.js';
import { startPrometheus, type InstantVectorSample, type RunningPrometheus } from './prometheus.js';
import { metricNamesInPromQL, metricNamesInVariableQuery } from './promql-names.js';

let lab: Lab;
let agent: AgentProcess;
let prom: RunningPrometheus;
let target: string;
let exposition: string;

const dashboards = loadDashboards();
const rules = loadAlertRules();

beforeAll(async () => {
  lab = await startLab({
    deny: ['provisioningapi.partner.microsoftonline.cn', ...FAKE_DENIED_HOSTS],
    users: { 'FABRIKAM\\svc-sync': 'lab-password' },
    extraHosts: FAKE_IDP_HOSTS,
    httpsHandler: fakeLoginService().handler,
  });
  const machineConfig = join(lab.dir, 'machine.config');
  writeFileSync(
    machineConfig,
    `<?xml version="1.0" encoding="utf-8"?>\n<configuration><system.net><defaultProxy useDefaultCredentials="true"><proxy usesystemdefault="false" proxyaddress="http://127.0.0.1:${lab.squid.port}" bypassonlocal="false"/><bypasslist><add address="crl\\.microsoft\\.com"/></bypasslist></defaultProxy></system.net></configuration>\n`,
  );
  const config = lab.writeConfig({
    cloud: 'china',
    listen: '127.0.0.1:0',
    tls: lab.tls,
    resolve: { 'crl.microsoft.com': lab.address },
    routes: [
      { name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` },
      { name: 'auth-proxy', proxy: `http://127.0.0.1:${lab.squid.authPort}` },
      { name: 'machine', machineConfig },
    ],
    probes: { schedule: '* * * * * *', timeoutSeconds: 3, concurrency: 16 },
    idle: { holdSeconds: [1, 2], requiredSeconds: 1.5, schedule: '*/2 * * * * *' },
    tenant: { domain: 'fabrikam.cn', schedule: '*/2 * * * * *' },
  });
  agent = startAgent(['--config', config]);
  const port = await listenPort(agent);
  target = `127.0.0.1:${port}`;
  await waitFor(async () => (await httpGet(`http://${target}/-/ready`)).status === 200, 30_000, 'the agent to be ready');
  await waitFor(async () => {
    const metrics = (await httpGet(`http://${target}/metrics`)).body;
    return /entra_connect_proxy_idle_runs_total\{[^}]*\} [1-9]/.test(metrics) && /^entra_connect_signin_discovery_success\{/m.test(metrics);
  }, 20_000, 'an idle cycle and a sign-in discovery').catch(async (err) => {
    throw new Error(`${(err as Error).message}: ${agent.stdout().split('\n').filter((l) => /idle|sign|error/i.test(l)).slice(0, 6).join(' | ')}`);
  });
  prom = await startPrometheus({ scrapeTargets: [target], rulesFile: ALERTS_FILE, scrapeIntervalSeconds: 1 });
  await waitFor(async () => {
    // Three scrapes, so that increase() and rate() over the panels' windows have samples to work with.
    const res = await prom.query('count_over_time(entra_connect_runs_total[1m])');
    const value = (res.data?.result as InstantVectorSample[] | undefined)?.[0]?.value[1];
    return value !== undefined && Number(value) >= 3;
  }, 30_000, 'three scrapes', 250);
  exposition = (await httpGet(`http://${target}/metrics`)).body;
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await agent?.stop();
  await lab?.stop();
});

/** Metric names the agent exposes, with the suffixes Prometheus derives from histograms and summaries. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)/gm)) {
    const [, name, type] = m;
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

// Series Prometheus itself makes; the agent cannot and need not export them.
const PROMETHEUS_OWN = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds', 'scrape_samples_scraped']);

// Series that appear only when a proxy closes an idle tunnel; the idle tests show it being exported.
function exercisedHere(name: string): boolean {
  return !/^entra_connect_proxy_idle_close_seconds$/.test(name);
}

function expressions(): Array<{ where: string; expr: string; names: string[] }> {
  const out: Array<{ where: string; expr: string; names: string[] }> = [];
  for (const d of dashboards) {
    const variables = d.json.templating.list.map((v: { name: string }) => v.name);
    for (const e of panelExprs(d)) out.push({ where: e.where, expr: substituteGrafanaVariables(e.expr, variables, { instance: target, endpoint: 'login' }), names: metricNamesInPromQL(e.expr) });
    for (const v of variableQueries(d)) out.push({ where: v.where, expr: '', names: metricNamesInVariableQuery(v.expr) });
  }
  for (const r of rules) out.push({ where: `alert ${r.alert}`, expr: r.expr, names: metricNamesInPromQL(r.expr) });
  return out;
}

describe('dashboards and alerts against the real agent', () => {
  it('every metric name a panel, variable or rule uses is exported by the agent', () => {
    const exposed = exposedNames(exposition);
    const missing = new Set<string>();
    for (const e of expressions()) for (const name of e.names) if (!PROMETHEUS_OWN.has(name) && exercisedHere(name) && !exposed.has(name)) missing.add(`${name} (${e.where})`);
    expect([...missing]).toEqual([]);
  });

  it('every panel and rule expression evaluates without error', async () => {
    const errors: string[] = [];
    for (const e of expressions()) {
      if (!e.expr) continue;
      const res = await prom.query(e.expr);
      if (res.status !== 'success') errors.push(`${e.where}: ${res.error}`);
    }
    expect(errors).toEqual([]);
  });

  it('the status, failure and latency panels return data', async () => {
    const overview = dashboards.find((d) => d.json.uid === 'entra-connect-overview')!;
    const variables = overview.json.templating.list.map((v: { name: string }) => v.name);
    for (const title of ['Status per endpoint and route', 'Current failures and remedies', 'Latency per phase (average over endpoints)', 'Probe latency distribution', 'Proxy answers now', 'machine.config proxy settings']) {
      const panel = allPanels(overview.json).find((p) => p.title === title);
      expect(panel, title).toBeDefined();
      let rows = 0;
      for (const t of panel.targets) {
        const res = await prom.query(substituteGrafanaVariables(t.expr, variables, { instance: target }));
        rows += (res.data?.result as unknown[] | undefined)?.length ?? 0;
      }
      expect(rows, title).toBeGreaterThan(0);
    }
  });

  it('the denied endpoint shows as proxy_denied and the auth route as 407 through Prometheus', async () => {
    const reason = await prom.query('entra_connect_probe_failure_reason{endpoint="provisioningapi",route="corp-proxy"} == 1');
    expect((reason.data!.result as InstantVectorSample[]).map((s) => s.metric.reason)).toEqual(['proxy_denied']);
    const auth = await prom.query('entra_connect_probe_proxy_status_code{route="auth-proxy",endpoint="login"}');
    expect((auth.data!.result as InstantVectorSample[])[0]!.value[1]).toBe('407');
  });

  it('runs every probe kind over every route, machine.config included, without an error in its logs', async () => {
    expect(agent.logs().filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    const signIn = agent.logs().filter((l) => String(l.msg).startsWith('sign-in discovery'));
    expect(new Set(signIn.map((l) => l.route))).toEqual(new Set(['corp-proxy', 'auth-proxy', 'machine']));
    const status = JSON.parse((await httpGet(`http://${target}/status`)).body) as { signIn: Array<{ route: string; namespaceType: string | null }>; idle: Array<{ route: string }>; recent: Array<{ startedAt: string }> };
    expect(status.recent.length).toBe(50);
    expect(status.recent.every((r) => !Number.isNaN(Date.parse(r.startedAt)))).toBe(true);
    expect(status.signIn.find((r) => r.route === 'corp-proxy')?.namespaceType).toBe('Managed');
    expect(status.idle.map((r) => r.route).sort()).toEqual(['auth-proxy', 'corp-proxy', 'machine']);
    const page = (await httpGet(`http://${target}/`)).body;
    expect(page).toContain('<h2>Sign-in discovery</h2>');
    expect(page).toContain('fabrikam.cn');
  });

  it('loads every alert rule', async () => {
    const res = await prom.get<{ groups: Array<{ rules: Array<{ name: string; health: string }> }> }>('/api/v1/rules');
    const loaded = res.data!.groups.flatMap((g) => g.rules);
    for (const r of rules) expect(loaded.find((l) => l.name === r.alert)?.health, r.alert).not.toBe('err');
    expect(loaded.filter((l) => rules.some((r) => r.alert === l.name))).toHaveLength(rules.length);
  });
});
