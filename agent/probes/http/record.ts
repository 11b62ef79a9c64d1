// How an HTTP probe's result becomes series: success, duration, phases, latency, the current failure reason,
// status codes, TLS and proxy-authentication facts. Label values only from closed sets, never remote text.
import type { AgentMetrics } from '../../export/metrics.js';
import { PHASES } from '../../net/types.js';
import type { Plan } from '../../plan/plan.js';
import { FAILURE_REASONS } from '../classify.js';
import type { ProbeResult } from './result.js';

const TLS_VERSIONS = new Set(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
const AUTH_SCHEMES = new Set(['Basic', 'Digest', 'NTLM', 'Negotiate', 'Kerberos', 'Bearer']);

/** Zero counters exist from the start, so that increase() sees the first failure of each reason. */
export function prepareHttpSeries(metrics: AgentMetrics, plan: Plan): void {
  for (const t of plan.targets) {
    const labels = { endpoint: t.endpoint.id, route: t.route.name };
    metrics.m.probes.inc(labels, 0);
    for (const reason of FAILURE_REASONS) metrics.m.failures.inc({ ...labels, reason }, 0);
  }
}

export function recordHttp(metrics: AgentMetrics, result: ProbeResult): void {
  const labels = { endpoint: result.endpoint, route: result.route };
  const m = metrics.m;
  m.success.set(labels, result.success ? 1 : 0);
  m.duration.set(labels, result.durationSeconds);
  for (const phase of PHASES) {
    const spent = result.phases[phase];
    if (spent === undefined) m.phase.remove({ ...labels, phase });
    else m.phase.set({ ...labels, phase }, spent);
  }
  m.latency.observe(labels, result.durationSeconds);
  m.probes.inc(labels);
  // Only the current reason has a series (at 1): thirteen zeros per target would cost memory and say nothing.
  for (const reason of FAILURE_REASONS) if (reason !== result.reason) m.failureReason.remove({ ...labels, reason });
  if (result.reason) m.failureReason.set({ ...labels, reason: result.reason }, 1);
  if (result.reason) m.failures.inc({ ...labels, reason: result.reason });
  m.httpStatus.set(labels, result.httpStatus ?? 0);
  m.proxyStatus.set(labels, result.proxyStatus ?? 0);
  m.lastRun.set(labels, result.startedAt / 1000);
  m.disturbed.set(labels, result.timingDisturbed ? 1 : 0);
  for (const version of TLS_VERSIONS) m.tlsVersion.remove({ ...labels, version });
  if (result.tls) {
    if (TLS_VERSIONS.has(result.tls.version)) m.tlsVersion.set({ ...labels, version: result.tls.version }, 1);
    if (result.tls.earliestExpirySeconds > 0) m.certExpiry.set(labels, result.tls.earliestExpirySeconds);
  }
  for (const scheme of AUTH_SCHEMES) m.authScheme.remove({ ...labels, scheme });
  for (const scheme of result.proxyAuthSchemes ?? []) {
    m.authScheme.set({ ...labels, scheme: AUTH_SCHEMES.has(scheme) ? scheme : 'other' }, 1);
  }
}
