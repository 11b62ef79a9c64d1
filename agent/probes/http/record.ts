// How an HTTP probe's result becomes series: success, duration, phases, latency, the current failure reason,
// status codes, TLS and proxy-authentication facts. Label values only from closed sets, never remote text.
import { getCiphers } from 'node:tls';
import type { AgentMetrics } from '../../export/metrics.js';
import { PHASES } from '../../net/types.js';
import type { Plan } from '../../plan/plan.js';
import { FAILURE_REASONS } from '../classify.js';
import type { ProbeResult } from './result.js';

const TLS_VERSIONS = new Set(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
// The client's own cipher list as OpenSSL names them (getCipher().name is upper case): a closed set of label values.
const TLS_CIPHERS = new Set(getCiphers().map((c) => c.toUpperCase()));
const cipherLabel = (name: string) => (TLS_CIPHERS.has(name) ? name : 'other');
const AUTH_SCHEMES = new Set(['Basic', 'Digest', 'NTLM', 'Negotiate', 'Kerberos', 'Bearer']);

/** Zero counters exist from the start, so that increase() sees the first failure of each reason. */
export function prepareHttpSeries(metrics: AgentMetrics, plan: Plan): void {
  const t = metrics.t;
  for (const target of plan.targets) {
    const slot = metrics.targets.slot(target.endpoint.id, target.route.name);
    t.probes.zero(slot);
    for (const reason of FAILURE_REASONS) t.failures.zero(slot, reason);
  }
}

export function recordHttp(metrics: AgentMetrics, result: ProbeResult): void {
  const t = metrics.t;
  const slot = metrics.targets.slot(result.endpoint, result.route);
  t.success.set(slot, result.success ? 1 : 0);
  t.duration.set(slot, result.durationSeconds);
  for (const phase of PHASES) {
    const spent = result.phases[phase];
    if (spent === undefined) t.phase.remove(slot, phase);
    else t.phase.set(slot, spent, phase);
  }
  t.latency.observe(slot, result.durationSeconds);
  t.probes.inc(slot);
  // Only the current reason has a series (at 1): thirteen zeros per target would cost memory and say nothing.
  t.failureReason.set(slot, result.reason);
  if (result.reason) t.failures.inc(slot, 1, result.reason);
  t.httpStatus.set(slot, result.httpStatus ?? 0);
  t.proxyStatus.set(slot, result.proxyStatus ?? 0);
  t.lastRun.set(slot, result.startedAt / 1000);
  t.disturbed.set(slot, result.timingDisturbed ? 1 : 0);
  const tls = result.tls;
  t.tlsVersion.set(slot, tls && TLS_VERSIONS.has(tls.version) ? tls.version : undefined);
  t.tlsCipher.set(slot, tls ? cipherLabel(tls.cipher) : undefined);
  t.tlsRoot.set(slot, tls?.root);
  if (tls && tls.validToSeconds > 0) t.certExpiry.set(slot, tls.validToSeconds);
  if (tls && tls.earliestExpirySeconds > 0) t.earliestExpiry.set(slot, tls.earliestExpirySeconds);
  t.authScheme.set(slot, (result.proxyAuthSchemes ?? []).map((scheme) => (AUTH_SCHEMES.has(scheme) ? scheme : 'other')));
}
