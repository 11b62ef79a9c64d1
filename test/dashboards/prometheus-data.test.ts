// A real Prometheus scrapes a stand-in agent (fake-agent.ts: the contract's series in a known state) and
// evaluates the dashboards and alert expressions against that data: joins must not fail on real series
// (many-to-many, duplicate series in `or`), and the key panels must show what the state says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS_FILE, allPanels, loadAlertRules, loadDashboards, panelExprs, substituteGrafanaVariables } from './dashboard-files.js';
import { startFakeAgent, type FakeAgent } from './fake-agent.js';
import { startPrometheus, type InstantVectorSample, type RunningPrometheus } from './prometheus.js';

const rules = loadAlertRules();
const dashboards = loadDashboards();
const overview = dashboards.find((d) => d.json.uid === 'entra-connect-overview')!;

let agent: FakeAgent;
let prom: RunningPrometheus;

async function vector(expr: string): Promise<InstantVectorSample[]> {
  const res = await prom.query(expr);
  expect(res.error ?? '', expr).toBe('');
  expect(res.data!.resultType, expr).toBe('vector');
  return res.data!.result as InstantVectorSample[];
}
const key = (s: InstantVectorSample, ...labels: string[]) => labels.map((l) => s.metric[l] ?? '').join('/');

beforeAll(async () => {
  agent = await startFakeAgent();
  prom = await startPrometheus({ scrapeTargets: [agent.target], rulesFile: ALERTS_FILE, scrapeIntervalSeconds: 1 });
  // Bounded wait for three scrapes, so increase() and rate() have samples to work with.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await prom.query('max(entra_connect_runs_total)');
    const v = (res.data?.result as InstantVectorSample[] | undefined)?.[0]?.value[1];
    if (v !== undefined && Number(v) >= 3) break;
    if (Date.now() > deadline) throw new Error('Prometheus did not scrape the stand-in agent three times within 20 s');
    await new Promise((r) => setTimeout(r, 200));
  }
});
afterAll(async () => {
  await prom?.stop();
  await agent?.close();
});

function panelQuery(title: string, refId = 'A'): string {
  const panel = allPanels(overview.json).find((p) => p.title === title);
  const names = overview.json.templating.list.map((v: { name: string }) => v.name);
  return substituteGrafanaVariables(panel.targets.find((t: { refId: string }) => t.refId === refId).expr, names, { instance: agent.target });
}

describe('dashboards against scraped data', () => {
  it('scrapes the stand-in agent as job entra-connect', async () => {
    const up = await vector('up');
    expect(up.map((s) => [s.metric.job, s.metric.instance, s.value[1]])).toEqual([['entra-connect', agent.target, '1']]);
  });

  it('evaluates every dashboard query without error', async () => {
    for (const d of dashboards) {
      const names = d.json.templating.list.map((v: { name: string }) => v.name);
      for (const e of panelExprs(d)) {
        const res = await prom.query(substituteGrafanaVariables(e.expr, names, { instance: agent.target, endpoint: 'login' }));
        expect(res.error ?? '', e.where).toBe('');
      }
    }
  });

  it('shows one status cell per endpoint and route, red with the reason for failures', async () => {
    const cells = await vector(panelQuery('Status per endpoint and route'));
    const shown = Object.fromEntries(cells.map((s) => [key(s, 'endpoint', 'route'), `${s.value[1]}${s.metric.why ?? ''}`]));
    expect(shown).toEqual({
      'login/corp-proxy': '0 (proxy_auth_required)',
      'login/direct': '1',
      'adminwebservice/corp-proxy': '1',
      'adminwebservice/direct': '0 (connect_failed)',
      'mscrl/corp-proxy': '0 (proxy_denied)',
      'mscrl/direct': '1',
    });
  });

  it('lists the current failures with category, required and the reason to map to a remedy', async () => {
    const rows = await vector(panelQuery('Current failures and remedies'));
    expect(rows.map((s) => key(s, 'endpoint', 'route', 'reason', 'remedy', 'category', 'required')).sort()).toEqual([
      'adminwebservice/direct/connect_failed/connect_failed/directory/true',
      'login/corp-proxy/proxy_auth_required/proxy_auth_required/authentication/true',
      'mscrl/corp-proxy/proxy_denied/proxy_denied/certificate/false',
    ]);
  });

  it('counts 403 and 407, the idle verdict and machine.config problems', async () => {
    expect((await vector(panelQuery('Proxy 403 / 407 now', 'A')))[0]!.value[1]).toBe('1');
    expect((await vector(panelQuery('Proxy 403 / 407 now', 'B')))[0]!.value[1]).toBe('1');
    expect((await vector(panelQuery('Routes with idle timeout too short')))[0]!.value[1]).toBe('1');
    expect((await vector(panelQuery('Routes with idle timeout too short', 'B')))[0]!.value[1]).toBe('0');
    const mc = await vector(panelQuery('machine.config proxy settings'));
    expect(mc.map((s) => [s.metric.route, s.metric.proxy_address ?? '', s.value[1]]).sort()).toEqual([
      ['corp-proxy', 'http://fabrikamproxy:8080', '2'],
      ['direct', '', '0'],
    ]);
    expect((await vector(panelQuery('Required endpoints down')))[0]!.value[1]).toBe('2');
  });
});

describe('alert expressions against scraped data (their `for` is not waited out here)', () => {
  const expr = (alert: string) => rules.find((r) => r.alert === alert)!.expr;

  it('EntraConnectEndpointDown selects the required endpoints that fail, not the optional one', async () => {
    const v = await vector(expr('EntraConnectEndpointDown'));
    expect(v.map((s) => key(s, 'endpoint', 'route', 'category')).sort()).toEqual(['adminwebservice/direct/directory', 'login/corp-proxy/authentication']);
  });

  it('EntraConnectOptionalEndpointDown selects only the optional endpoint', async () => {
    const v = await vector(expr('EntraConnectOptionalEndpointDown'));
    expect(v.map((s) => key(s, 'endpoint', 'route'))).toEqual(['mscrl/corp-proxy']);
  });

  it('EntraConnectProxyAuthenticationRequired selects login over corp-proxy; 403 on the optional mscrl does not page', async () => {
    expect((await vector(expr('EntraConnectProxyAuthenticationRequired'))).map((s) => key(s, 'endpoint', 'route', 'pattern'))).toEqual(['login/corp-proxy/*.partner.microsoftonline.cn']);
    expect(await vector(expr('EntraConnectProxyDenied'))).toEqual([]);
  });

  it('EntraConnectProxyIdleTimeoutTooShort and EntraConnectMachineConfigProblems select corp-proxy', async () => {
    expect((await vector(expr('EntraConnectProxyIdleTimeoutTooShort'))).map((s) => [s.metric.route, s.value[1]])).toEqual([['corp-proxy', '120']]);
    expect((await vector(expr('EntraConnectMachineConfigProblems'))).map((s) => [s.metric.route, s.value[1]])).toEqual([['corp-proxy', '2']]);
  });

  it('the agent-health alerts stay quiet for a healthy agent, and no route warns or is intercepted', async () => {
    for (const a of ['EntraConnectProxyIdleTimeoutBelowRequirement', 'EntraConnectTlsIntercepted', 'EntraConnectProbesStale', 'EntraConnectAgentDown', 'EntraConnectConfigReloadFailed', 'EntraConnectProxyIdleSilentDrop', 'EntraConnectEndpointIntermittentFailures']) {
      expect(await vector(expr(a)), a).toEqual([]);
    }
  });
});
