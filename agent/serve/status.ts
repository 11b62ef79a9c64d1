// The status page (/) and its JSON twin (/status): the latest result of every target, escaped, never a secret.
import { basename } from 'node:path';
import type { Daemon } from '../run/daemon.js';
import { publicResult } from '../result.js';
import { signInJson } from '../report/signin-report.js';
import { hostJson } from '../report/host-report.js';

const escape = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function statusJson(daemon: Daemon) {
  const plan = daemon.currentPlan;
  return {
    ready: daemon.ready,
    // The file's name only: no path of this machine in an HTTP answer.
    config: basename(plan.config.file),
    cloud: plan.config.cloud,
    routes: plan.routes.map((r) => ({ name: r.name, kind: r.kind, proxy: r.proxyUrl ?? null, username: r.username ?? null })),
    host: hostJson(daemon.host),
    results: daemon.history.latest().map(publicResult),
    idle: daemon.history.idle(),
    signIn: signInJson(daemon.history.signIn()),
    // The last probes in the order they ended, newest first (a bounded ring, like blackbox_exporter's history).
    recent: daemon.history.recent(50).map(publicResult),
  };
}

export function renderStatusPage(daemon: Daemon): string {
  const rows = daemon.history
    .latest()
    .sort((a, b) => Number(a.success) - Number(b.success) || a.endpoint.localeCompare(b.endpoint))
    .map(
      (r) =>
        `<tr class="${r.success ? 'ok' : 'bad'}"><td>${escape(r.endpoint)}</td><td>${escape(r.route)}</td><td>${r.success ? 'ok' : 'FAIL'}</td><td>${(r.durationSeconds * 1000).toFixed(1)}</td><td>${escape(r.reason)}</td><td>${escape(r.detail)}</td><td>${escape(r.remedy)}</td></tr>`,
    )
    .join('\n');
  const idle = daemon.history
    .idle()
    .map((r) => `<tr><td>${escape(r.route)}</td><td>${escape(r.verdict)}</td><td>${escape(r.closeSeconds?.toFixed(1) ?? '-')}</td><td>${escape(r.requiredSeconds)}</td><td>${escape(r.detail)}</td></tr>`)
    .join('\n');
  const signIn = daemon.history
    .signIn()
    .map((r) => `<tr class="${r.findings.some((f) => f.severity === 'error') ? 'bad' : 'ok'}"><td>${escape(r.route)}</td><td>${escape(r.domain)}</td><td>${escape(r.namespaceType ?? '-')}</td><td>${escape(r.tenantFound ?? '-')}</td><td>${escape(r.findings.map((f) => `${f.code}: ${f.message}`).join(' | '))}</td></tr>`)
    .join('\n');
  const host = daemon.host.findings
    .map((f) => `<tr class="${f.severity === 'error' ? 'bad' : 'ok'}"><td>${escape(f.severity)}</td><td>${escape(f.code)}</td><td>${escape(f.message)}</td><td>${escape(f.remedy)}</td></tr>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Entra Connect connectivity</title>
<style>body{font-family:sans-serif;margin:1em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}tr.bad{background:#fdd}table{border-collapse:collapse}</style></head>
<body><h1>Entra Connect connectivity</h1><p>${daemon.ready ? 'Ready' : 'First run in progress'} &middot; <a href="/metrics">metrics</a> &middot; <a href="/status">status JSON</a></p>
<table><tr><th>endpoint</th><th>route</th><th>result</th><th>ms</th><th>reason</th><th>detail</th><th>remedy</th></tr>
${rows}</table>
<h2>Proxy idle timeout</h2><table><tr><th>route</th><th>verdict</th><th>closed after (s)</th><th>required (s)</th><th>detail</th></tr>
${idle}</table>
<h2>Entra Connect server</h2><p>${escape(daemon.host.source ?? daemon.host.skipped ?? '')}</p><table><tr><th>severity</th><th>finding</th><th>message</th><th>remedy</th></tr>
${host}</table>
<h2>Sign-in discovery</h2><table><tr><th>route</th><th>domain</th><th>namespace</th><th>tenant found</th><th>findings</th></tr>
${signIn}</table></body></html>
`;
}
