// The status page (/) and its JSON twin (/status), from a snapshot of the history: escaped, never a secret.
import type { ProbeResult } from '../probes/http/result.js';
import { publicResult } from '../probes/http/result.js';
import type { IdleResult } from '../probes/idle/result.js';
import type { SignInResult } from '../probes/signin/result.js';
import type { AnyResult } from '../probes/registry.js';
import { signInJson } from '../report/signin-report.js';
import type { StatusSnapshot } from './snapshot.js';

const escape = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function ofKind<K extends AnyResult['kind']>(results: readonly AnyResult[], kind: K): Array<Extract<AnyResult, { kind: K }>> {
  return results.filter((r): r is Extract<AnyResult, { kind: K }> => r.kind === kind);
}

export function statusJson(snapshot: StatusSnapshot) {
  const { latest, recent, failures } = snapshot.history;
  return {
    ready: snapshot.ready,
    config: snapshot.config,
    cloud: snapshot.cloud,
    routes: snapshot.routes,
    results: ofKind(latest, 'http').map(publicResult),
    idle: ofKind(latest, 'idle'),
    signIn: signInJson(ofKind(latest, 'signin')),
    // The last probes in the order they ended, newest first (a bounded ring, like blackbox_exporter's history).
    recent: ofKind(recent, 'http').slice(0, 50).map(publicResult),
    // Failures kept after they left the ring, newest first.
    failures: ofKind(failures, 'http').map(publicResult),
  };
}

export function renderStatusPage(snapshot: StatusSnapshot): string {
  const latest = snapshot.history.latest;
  const rows = ofKind(latest, 'http')
    .sort((a: ProbeResult, b: ProbeResult) => Number(a.success) - Number(b.success) || a.endpoint.localeCompare(b.endpoint))
    .map(
      (r) =>
        `<tr class="${r.success ? 'ok' : 'bad'}"><td>${escape(r.endpoint)}</td><td>${escape(r.route)}</td><td>${r.success ? 'ok' : 'FAIL'}</td><td>${(r.durationSeconds * 1000).toFixed(1)}</td><td>${escape(r.reason)}</td><td>${escape(r.detail)}</td><td>${escape(r.remedy)}</td></tr>`,
    )
    .join('\n');
  const idle = ofKind(latest, 'idle')
    .map((r: IdleResult) => `<tr><td>${escape(r.route)}</td><td>${escape(r.verdict)}</td><td>${escape(r.closeSeconds?.toFixed(1) ?? '-')}</td><td>${escape(r.requiredSeconds)}</td><td>${escape(r.detail)}</td></tr>`)
    .join('\n');
  const signIn = ofKind(latest, 'signin')
    .map((r: SignInResult) => `<tr class="${r.findings.some((f) => f.severity === 'error') ? 'bad' : 'ok'}"><td>${escape(r.route)}</td><td>${escape(r.domain)}</td><td>${escape(r.namespaceType ?? '-')}</td><td>${escape(r.tenantFound ?? '-')}</td><td>${escape(r.findings.map((f) => `${f.code}: ${f.message}`).join(' | '))}</td></tr>`)
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Entra Connect connectivity</title>
<style>body{font-family:sans-serif;margin:1em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}tr.bad{background:#fdd}table{border-collapse:collapse}</style></head>
<body><h1>Entra Connect connectivity</h1><p>${snapshot.ready ? 'Ready' : 'First run in progress'} &middot; <a href="/metrics">metrics</a> &middot; <a href="/status">status JSON</a></p>
<table><tr><th>endpoint</th><th>route</th><th>result</th><th>ms</th><th>reason</th><th>detail</th><th>remedy</th></tr>
${rows}</table>
<h2>Proxy idle timeout</h2><table><tr><th>route</th><th>verdict</th><th>closed after (s)</th><th>required (s)</th><th>detail</th></tr>
${idle}</table>
<h2>Sign-in discovery</h2><table><tr><th>route</th><th>domain</th><th>namespace</th><th>tenant found</th><th>findings</th></tr>
${signIn}</table></body></html>
`;
}
