// The real Prometheus (Debian's /usr/bin/prometheus) loads alerts.yaml and evaluates every alert expression and
// every dashboard query without error. No targets yet: the lead adds the scrape of a running agent.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS_FILE, loadAlertRules, loadDashboards, panelExprs, substituteGrafanaVariables, variableQueries } from './dashboard-files.js';
import { prometheusConfig, startPrometheus, type RunningPrometheus } from './prometheus.js';

const rules = loadAlertRules();
const dashboards = loadDashboards();

describe('startPrometheus', () => {
  it('writes a config with the scrape job and the rules file, and refuses non-loopback targets', async () => {
    const yml = prometheusConfig({ scrapeTargets: ['127.0.0.1:9464'], rulesFile: ALERTS_FILE, scrapeIntervalSeconds: 2 });
    expect(yml).toContain('job_name: entra-connect');
    expect(yml).toContain('targets: ["127.0.0.1:9464"]');
    expect(yml).toContain(JSON.stringify(ALERTS_FILE));
    await expect(startPrometheus({ scrapeTargets: ['10.0.0.1:9464'], rulesFile: ALERTS_FILE, scrapeIntervalSeconds: 1 })).rejects.toThrow(/loopback/);
  });

  it('reports a Prometheus that cannot start (a broken rules file) instead of waiting forever', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'entra-connect-bad-rules-'));
    try {
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(\n');
      const started = startPrometheus({ scrapeTargets: [], rulesFile: bad, scrapeIntervalSeconds: 1 });
      // If it ever starts anyway, stop it rather than leak it.
      started.then((p) => p.stop(), () => undefined);
      await expect(started).rejects.toThrow(/exited before it was ready/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('real Prometheus with dashboards/alerts.yaml', () => {
  let prom: RunningPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus({ scrapeTargets: [], rulesFile: ALERTS_FILE, scrapeIntervalSeconds: 1 });
  });
  afterAll(async () => {
    await prom?.stop();
  });

  it('listens on loopback', () => {
    expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists every alert of alerts.yaml in /api/v1/rules', async () => {
    const res = await prom.get<{ groups: { rules: { name: string; type: string; health: string }[] }[] }>('/api/v1/rules');
    expect(res.status).toBe('success');
    const loaded = res.data!.groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting');
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
  });

  it.each(rules.map((r) => [r.alert, r.expr] as const))('evaluates alert %s', async (_name, expr) => {
    const res = await prom.query(expr);
    expect(res.error ?? '').toBe('');
    expect(res.status).toBe('success');
  });

  const queries = dashboards.flatMap((d) => {
    const names = d.json.templating.list.map((v: { name: string }) => v.name);
    return [
      ...panelExprs(d).map((e) => [e.where, substituteGrafanaVariables(e.expr, names)] as const),
      // label_values(selector, label) -> the selector is a query too.
      ...variableQueries(d)
        .map((e) => [e.where, /^label_values\((.*),\s*\w+\)$/s.exec(e.expr)?.[1]] as const)
        .filter((e): e is readonly [string, string] => Boolean(e[1]))
        .map(([where, sel]) => [where, substituteGrafanaVariables(sel, names)] as const),
    ];
  });

  it('has dashboard queries to evaluate, with no Grafana variable left in them', () => {
    expect(queries.length).toBeGreaterThan(50);
    for (const [where, expr] of queries) expect(expr, where).not.toMatch(/\$(?!1)/);
  });

  it.each(queries)('evaluates %s', async (_where, expr) => {
    const res = await prom.query(expr);
    expect(res.error ?? '').toBe('');
    expect(res.status).toBe('success');
  });
});
