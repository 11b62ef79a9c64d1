// Dashboards and alert rules against the metric contract, promtool, and the article's remedies.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS, REMEDIES } from '../../agent/probes/classify.js';
import { CONTRACT, contractSeriesNames } from './contract.js';
import {
  ALERTS_FILE,
  ALERTS_TEST_FILE,
  DASHBOARDS_DIR,
  allPanels,
  loadAlertRules,
  loadDashboards,
  panelExprs,
  variableQueries,
  type Json,
} from './dashboard-files.js';
import { metricNamesInPromQL, metricNamesInVariableQuery } from './promql-names.js';

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const dashboards = loadDashboards();
const rules = loadAlertRules();
const byUid = (uid: string) => dashboards.find((d) => d.json.uid === uid)!;

describe('alert rules under promtool', () => {
  it('promtool check rules accepts dashboards/alerts.yaml', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', ALERTS_FILE], { timeout: 30_000 });
    expect(stdout).toContain('SUCCESS');
  });

  it('promtool test rules passes dashboards/alerts.test.yaml', async () => {
    const { stdout } = await run(PROMTOOL, ['test', 'rules', ALERTS_TEST_FILE], { timeout: 60_000, cwd: DASHBOARDS_DIR });
    expect(stdout).toContain('SUCCESS');
  });

  it('has every alert the issue asks for, each with summary, description and severity', () => {
    const names = rules.map((r) => r.alert);
    for (const expected of [
      'EntraConnectEndpointDown',
      'EntraConnectEndpointIntermittentFailures',
      'EntraConnectProxyDenied',
      'EntraConnectProxyAuthenticationRequired',
      'EntraConnectProxyIdleTimeoutTooShort',
      'EntraConnectProbesStale',
      'EntraConnectAgentDown',
      'EntraConnectMachineConfigProblems',
    ]) {
      expect(names).toContain(expected);
    }
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toMatch(/Remedy/);
      expect(['critical', 'warning'], r.alert).toContain(r.labels.severity);
    }
  });

  it('pages (critical) only for required endpoints', () => {
    for (const r of rules.filter((x) => x.labels.severity === 'critical')) {
      expect(r.expr, r.alert).toMatch(/entra_connect_endpoint_info\{required="true"\}/);
      expect(r.expr, r.alert).toMatch(/on \(job, instance, endpoint\) group_left/);
    }
  });

  it('tests every alert, with a case where it fires and one where it must not', () => {
    const doc = readFileSync(ALERTS_TEST_FILE, 'utf8');
    for (const r of rules) {
      const cases = [...doc.matchAll(new RegExp(`alertname: ${r.alert}\\n\\s+exp_alerts:(.*)`, 'g'))];
      expect(cases.some((m) => m[1]!.trim() === '[]'), `${r.alert} has no must-not-fire case`).toBe(true);
      expect(cases.some((m) => m[1]!.trim() === ''), `${r.alert} has no firing case`).toBe(true);
    }
  });

  it("carries the article's remedy for every failure reason in the endpoint-down description", () => {
    const down = rules.find((r) => r.alert === 'EntraConnectEndpointDown')!;
    for (const reason of FAILURE_REASONS) {
      expect(down.annotations.description).toContain(`eq .Labels.reason "${reason}" }} ${REMEDIES[reason]}`);
    }
  });
});

describe('dashboards', () => {
  it('are the two dashboards, valid JSON with the agreed uids and titles', () => {
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(['entra-connect-endpoint', 'entra-connect-overview']);
    expect(byUid('entra-connect-overview').file).toBe('entra-connect-overview.json');
    expect(byUid('entra-connect-endpoint').file).toBe('entra-connect-endpoint.json');
    for (const { json } of dashboards) {
      expect(json.title).toMatch(/^Entra Connect /);
      expect(json.schemaVersion).toBe(39);
      expect(json.time.from).toMatch(/^now-/);
      expect(json.refresh).toBeTruthy();
    }
  });

  it('have a ${datasource} Prometheus variable that every panel and query variable uses', () => {
    for (const { file, json } of dashboards) {
      const vars: Json[] = json.templating.list;
      const ds = vars.find((v) => v.name === 'datasource');
      expect(ds, file).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const v of vars.filter((x) => x.type === 'query')) expect(v.datasource, `${file} ${v.name}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const p of allPanels(json).filter((x) => x.type !== 'row')) {
        expect(p.datasource, `${file} ${p.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(p.targets?.length, `${file} ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(t.expr, `${file} ${p.title}`).toMatch(/\S/);
          expect(t.datasource, `${file} ${p.title} ${t.refId}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        }
      }
    }
  });

  it('have instance, route and category variables (and endpoint on the detail)', () => {
    for (const { file, json } of dashboards) {
      const names = json.templating.list.map((v: Json) => v.name);
      expect(names, file).toEqual(expect.arrayContaining(['datasource', 'instance', 'route', 'category']));
    }
    expect(byUid('entra-connect-endpoint').json.templating.list.map((v: Json) => v.name)).toContain('endpoint');
  });

  it('use only panel types Grafana ships, with unique ids and a grid position', () => {
    for (const { file, json } of dashboards) {
      const panels = allPanels(json);
      expect(new Set(panels.map((p) => p.id)).size, file).toBe(panels.length);
      for (const p of panels) {
        expect(['row', 'stat', 'state-timeline', 'table', 'timeseries', 'heatmap'], `${file} ${p.title}`).toContain(p.type);
        expect(p.gridPos.w + p.gridPos.x, `${file} ${p.title}`).toBeLessThanOrEqual(24);
      }
    }
  });

  it('link the status cells and the failure table of the overview to the endpoint detail', () => {
    const panels = allPanels(byUid('entra-connect-overview').json);
    const cells = panels.find((p) => p.title === 'Status per endpoint and route');
    expect(cells.type).toBe('stat');
    expect(cells.fieldConfig.defaults.mappings[0].options).toMatchObject({ 1: { text: 'up', color: 'green' }, 0: { text: 'down', color: 'red' } });
    expect(cells.fieldConfig.defaults.links[0].url).toMatch(/^\/d\/entra-connect-endpoint\/.*var-endpoint=\$\{__field\.labels\.endpoint\}/);
    const failures = panels.find((p) => p.title === 'Current failures and remedies');
    const endpointLink = failures.fieldConfig.overrides.find((o: Json) => o.matcher.options === 'endpoint');
    expect(JSON.stringify(endpointLink)).toContain('/d/entra-connect-endpoint/');
    expect(failures.targets[0].expr).toMatch(/entra_connect_probe_failure_reason\{[^}]*\} == 1/);
    expect(failures.targets[0].expr).toContain('entra_connect_endpoint_info');
  });

  it("map every failure reason to the article's remedy, as agent/classify.ts words it", () => {
    let tables = 0;
    for (const { file, json } of dashboards) {
      for (const p of allPanels(json)) {
        for (const o of p.fieldConfig?.overrides ?? []) {
          if (o.matcher.options !== 'remedy') continue;
          tables++;
          const mapping = o.properties.find((x: Json) => x.id === 'mappings').value[0].options;
          expect(Object.keys(mapping).sort(), `${file} ${p.title}`).toEqual([...FAILURE_REASONS].sort());
          for (const reason of FAILURE_REASONS) expect(mapping[reason].text).toBe(REMEDIES[reason]);
        }
      }
    }
    expect(tables).toBe(2); // overview failures table and the detail's current failure
  });
});

describe('every metric the dashboards and alerts read is in the contract', () => {
  const allowed = contractSeriesNames();
  const uses: { where: string; names: string[] }[] = [
    ...dashboards.flatMap((d) => panelExprs(d).map((e) => ({ where: e.where, names: metricNamesInPromQL(e.expr) }))),
    ...dashboards.flatMap((d) => variableQueries(d).map((e) => ({ where: e.where, names: metricNamesInVariableQuery(e.expr) }))),
    ...rules.map((r) => ({ where: `alert ${r.alert}`, names: metricNamesInPromQL(r.expr) })),
  ];

  it('finds metric names in every query', () => {
    expect(uses.length).toBeGreaterThan(50);
    for (const u of uses) expect(u.names.length, u.where).toBeGreaterThan(0);
  });

  it.each(uses.map((u) => [u.where, u.names] as const))('%s', (_where, names) => {
    for (const n of names) expect(allowed, n).toContain(n);
  });

  it('the contract names prom-client defaults that prom-client really exports', async () => {
    const { Registry, collectDefaultMetrics } = await import('prom-client');
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const exported = (await registry.getMetricsAsJSON()).map((m) => m.name);
    for (const m of CONTRACT.filter((x) => x.source === 'prom-client default')) expect(exported, m.name).toContain(m.name);
  });
});

describe('provisioning examples', () => {
  it('provision a Prometheus datasource and a file provider for the dashboards', async () => {
    const { parse } = await import('yaml');
    const ds = parse(readFileSync(join(DASHBOARDS_DIR, 'provisioning/datasource.yaml'), 'utf8'));
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', access: 'proxy' });
    const dash = parse(readFileSync(join(DASHBOARDS_DIR, 'provisioning/dashboards.yaml'), 'utf8'));
    expect(dash.apiVersion).toBe(1);
    expect(dash.providers[0]).toMatchObject({ type: 'file', options: { path: expect.any(String) } });
  });
});
