// Reading the dashboards and the alert rules the way the tests need them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DASHBOARDS_DIR = join(ROOT, 'dashboards');
export const ALERTS_FILE = join(DASHBOARDS_DIR, 'alerts.yaml');
export const ALERTS_TEST_FILE = join(DASHBOARDS_DIR, 'alerts.test.yaml');

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export interface DashboardFile {
  file: string;
  json: Json;
}

export function loadDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) }));
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: Json): Json[] {
  const out: Json[] = [];
  for (const p of dashboard.panels ?? []) {
    out.push(p);
    for (const nested of p.panels ?? []) out.push(nested);
  }
  return out;
}

export interface PanelExpr {
  where: string;
  expr: string;
}

export function panelExprs(d: DashboardFile): PanelExpr[] {
  const out: PanelExpr[] = [];
  for (const p of allPanels(d.json)) {
    for (const t of p.targets ?? []) out.push({ where: `${d.file} panel "${p.title}" ${t.refId}`, expr: t.expr });
  }
  return out;
}

export function variableQueries(d: DashboardFile): PanelExpr[] {
  return (d.json.templating?.list ?? [])
    .filter((v: Json) => v.type === 'query')
    .map((v: Json) => ({ where: `${d.file} variable ${v.name}`, expr: typeof v.query === 'string' ? v.query : v.query.query }));
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function loadAlertRules(): AlertRule[] {
  const doc = parse(readFileSync(ALERTS_FILE, 'utf8'));
  return doc.groups.flatMap((g: Json) => g.rules).filter((r: Json) => r.alert);
}

/**
 * Grafana's variables replaced by values Prometheus accepts, to evaluate a panel query outside Grafana:
 * $__rate_interval and $__interval by 5m, $__range by 1h, every dashboard variable ($x, ${x}, ${x:regex}) by its
 * entry in `values`, else by .*
 * Unknown $-words (label_replace's "$1") stay as they are, as Grafana leaves them.
 */
export function substituteGrafanaVariables(expr: string, variableNames: string[], values: Record<string, string> = {}): string {
  const known = new Set(variableNames);
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}|\$__interval|\$\{__interval\}/g, '5m')
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{(\w+)(:\w+)?\}|\$(\w+)/g, (m, braced: string | undefined, _fmt: string | undefined, bare: string | undefined) =>
      known.has((braced ?? bare)!) ? (values[(braced ?? bare)!] ?? '.*') : m,
    );
}
