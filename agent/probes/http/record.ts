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
/** The cipher and root label each target of a registry shows now, to drop that series when the next probe says another. */
const shownTls = new WeakMap<AgentMetrics, Map<string, { cipher?: string; root?: string }>>();
const AUTH_SCHEMES = new Set(['Basic', 'Digest', 'NTLM', 'Negotiate', 'Kerberos', 'Bearer']);

type TargetLabels = { endpoint: string; route: string };
// Each label set is written as an object literal of its own shape. In Node 20's V8 every `{ ...labels, key }` gets a
// hidden class (map) of its own: at 1,000 endpoints x 2 routes the stored ones held 58,000 maps with their descriptor
// arrays and enum caches (about 20 MiB of a 60 MiB live heap), and every probe made some 40 more.
const withReason = (l: TargetLabels, reason: string) => ({ endpoint: l.endpoint, route: l.route, reason });
const withPhase = (l: TargetLabels, phase: string) => ({ endpoint: l.endpoint, route: l.route, phase });
const withVersion = (l: TargetLabels, version: string) => ({ endpoint: l.endpoint, route: l.route, version });
const withCipher = (l: TargetLabels, cipher: string) => ({ endpoint: l.endpoint, route: l.route, cipher });
const withRoot = (l: TargetLabels, root: string) => ({ endpoint: l.endpoint, route: l.route, root });
const withScheme = (l: TargetLabels, scheme: string) => ({ endpoint: l.endpoint, route: l.route, scheme });

/** Zero counters exist from the start, so that increase() sees the first failure of each reason. */
export function prepareHttpSeries(metrics: AgentMetrics, plan: Plan): void {
  for (const t of plan.targets) {
    const labels = { endpoint: t.endpoint.id, route: t.route.name };
    metrics.m.probes.inc(labels, 0);
    for (const reason of FAILURE_REASONS) metrics.m.failures.inc(withReason(labels, reason), 0);
  }
}

function recordTls(metrics: AgentMetrics, labels: TargetLabels, tls: ProbeResult['tls']): void {
  const m = metrics.m;
  let byTarget = shownTls.get(metrics);
  if (!byTarget) shownTls.set(metrics, (byTarget = new Map()));
  const key = `${labels.endpoint}\u0000${labels.route}`;
  const shown = byTarget.get(key) ?? {};
  const cipher = tls ? cipherLabel(tls.cipher) : undefined;
  const root = tls?.root;
  if (shown.cipher !== undefined && shown.cipher !== cipher) m.tlsCipher.remove(withCipher(labels, shown.cipher));
  if (shown.root !== undefined && shown.root !== root) m.tlsRoot.remove(withRoot(labels, shown.root));
  byTarget.set(key, { cipher, root });
  if (!tls) return;
  if (TLS_VERSIONS.has(tls.version)) m.tlsVersion.set(withVersion(labels, tls.version), 1);
  if (cipher) m.tlsCipher.set(withCipher(labels, cipher), 1);
  if (root) m.tlsRoot.set(withRoot(labels, root), 1);
  if (tls.validToSeconds > 0) m.certExpiry.set(labels, tls.validToSeconds);
  if (tls.earliestExpirySeconds > 0) m.earliestExpiry.set(labels, tls.earliestExpirySeconds);
}

export function recordHttp(metrics: AgentMetrics, result: ProbeResult): void {
  const labels = { endpoint: result.endpoint, route: result.route };
  const m = metrics.m;
  m.success.set(labels, result.success ? 1 : 0);
  m.duration.set(labels, result.durationSeconds);
  for (const phase of PHASES) {
    const spent = result.phases[phase];
    if (spent === undefined) m.phase.remove(withPhase(labels, phase));
    else m.phase.set(withPhase(labels, phase), spent);
  }
  m.latency.observe(labels, result.durationSeconds);
  m.probes.inc(labels);
  // Only the current reason has a series (at 1): thirteen zeros per target would cost memory and say nothing.
  for (const reason of FAILURE_REASONS) if (reason !== result.reason) m.failureReason.remove(withReason(labels, reason));
  if (result.reason) m.failureReason.set(withReason(labels, result.reason), 1);
  if (result.reason) m.failures.inc(withReason(labels, result.reason));
  m.httpStatus.set(labels, result.httpStatus ?? 0);
  m.proxyStatus.set(labels, result.proxyStatus ?? 0);
  m.lastRun.set(labels, result.startedAt / 1000);
  m.disturbed.set(labels, result.timingDisturbed ? 1 : 0);
  for (const version of TLS_VERSIONS) m.tlsVersion.remove(withVersion(labels, version));
  recordTls(metrics, labels, result.tls);
  for (const scheme of AUTH_SCHEMES) m.authScheme.remove(withScheme(labels, scheme));
  for (const scheme of result.proxyAuthSchemes ?? []) {
    m.authScheme.set(withScheme(labels, AUTH_SCHEMES.has(scheme) ? scheme : 'other'), 1);
  }
}
