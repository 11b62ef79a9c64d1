// How revocation fetches become series. Several URLs can fall under one catalogue row (two CRLs on one host), so
// the per-row gauges are set from the whole run: success only if every URL answered, the slowest duration, the
// number of URLs; a row × route × type the run no longer saw loses its gauges. Counters move per fetch. URLs no
// row covers make no series of their own: they are counted, and each is a finding.
import type { AgentMetrics } from '../../export/metrics.js';
import type { RevocationResult } from './result.js';

export function recordRevocation(metrics: AgentMetrics, result: RevocationResult): void {
  if (result.endpoint === null) return;
  const labels = { endpoint: result.endpoint, route: result.route, type: result.type };
  metrics.m.revocationProbes.inc(labels);
  if (!result.success && result.reason) metrics.m.revocationFailures.inc({ ...labels, reason: result.reason });
}

export function recordRevocationRun(metrics: AgentMetrics, results: readonly RevocationResult[]): void {
  const rows = new Map<string, { labels: { endpoint: string; route: string; type: string }; ok: boolean; slowest: number; urls: number }>();
  for (const r of results) {
    if (r.endpoint === null) continue;
    const key = `${r.endpoint}\u0000${r.route}\u0000${r.type}`;
    const row = rows.get(key) ?? { labels: { endpoint: r.endpoint, route: r.route, type: r.type }, ok: true, slowest: 0, urls: 0 };
    row.ok &&= r.success;
    row.slowest = Math.max(row.slowest, r.durationSeconds);
    row.urls++;
    rows.set(key, row);
  }
  const m = metrics.m;
  m.revocationSuccess.reset();
  m.revocationDuration.reset();
  m.revocationUrls.reset();
  for (const row of rows.values()) {
    m.revocationSuccess.set(row.labels, row.ok ? 1 : 0);
    m.revocationDuration.set(row.labels, row.slowest);
    m.revocationUrls.set(row.labels, row.urls);
  }
  m.revocationUncovered.set(new Set(results.filter((r) => r.endpoint === null).map((r) => new URL(r.url).hostname)).size);
}
