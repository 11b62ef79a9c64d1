// The metric contract (DESIGN.md): results in, Prometheus series out. Label values come only from the
// configuration, the catalogue or closed sets, never from what a remote party sends.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FAILURE_REASONS } from '../probes/classify.js';
import type { Plan } from '../plan/plan.js';
import { PHASES } from '../net/types.js';
import { type ProbeResult } from '../probes/http/result.js';
import { type IdleResult } from '../probes/idle/result.js';
import { SIGNIN_STEPS, type SignInResult } from '../probes/signin/result.js';
import { CLOUD_INSTANCES, NAMESPACE_TYPES, SIGNIN_FINDING_CODES, cloudInstanceLabel, namespaceLabel, parseTenantValue } from '../probes/signin/facts.js';
import { VERSION } from '../version.js';

const TLS_VERSIONS = new Set(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
const AUTH_SCHEMES = new Set(['Basic', 'Digest', 'NTLM', 'Negotiate', 'Kerberos', 'Bearer']);
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string | number>;

/** The label values recordProbe last gave a target's one-of series, so the next probe removes only those. */
interface LastSet {
  phases: readonly string[];
  reason?: string;
  tlsVersion?: string;
  schemes: readonly string[];
}

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly m;

  private readonly lastSet = new Map<string, LastSet>();

  constructor() {
    const r = [this.registry];
    const target = ['endpoint', 'route'] as const;
    this.m = {
      endpointInfo: new Gauge({ name: 'entra_connect_endpoint_info', help: 'Catalogue facts of each probed endpoint (always 1).', labelNames: ['endpoint', 'url', 'pattern', 'port', 'category', 'cloud', 'required'], registers: r }),
      success: new Gauge({ name: 'entra_connect_probe_success', help: 'Whether the last probe of the endpoint over the route succeeded (1) or not (0).', labelNames: target, registers: r }),
      duration: new Gauge({ name: 'entra_connect_probe_duration_seconds', help: 'Total duration of the last probe.', labelNames: target, registers: r }),
      phase: new Gauge({ name: 'entra_connect_probe_phase_duration_seconds', help: 'Duration of each phase of the last probe (dns, connect, proxy_connect, tls, request, transfer).', labelNames: [...target, 'phase'], registers: r }),
      latency: new Histogram({ name: 'entra_connect_probe_latency_seconds', help: 'Total probe durations.', labelNames: target, buckets: LATENCY_BUCKETS, registers: r }),
      probes: new Counter({ name: 'entra_connect_probes_total', help: 'Probes run.', labelNames: target, registers: r }),
      failures: new Counter({ name: 'entra_connect_probe_failures_total', help: 'Failed probes by reason.', labelNames: [...target, 'reason'], registers: r }),
      failureReason: new Gauge({ name: 'entra_connect_probe_failure_reason', help: 'The reason of the last probe\'s failure (1); no series while the probe succeeds.', labelNames: [...target, 'reason'], registers: r }),
      httpStatus: new Gauge({ name: 'entra_connect_probe_http_status_code', help: 'The endpoint\'s HTTP status in the last probe (0: no answer from the endpoint).', labelNames: target, registers: r }),
      proxyStatus: new Gauge({ name: 'entra_connect_probe_proxy_status_code', help: 'The proxy\'s status to CONNECT (or its own answer to a GET) in the last probe (0: none).', labelNames: target, registers: r }),
      lastRun: new Gauge({ name: 'entra_connect_probe_last_run_timestamp_seconds', help: 'When the last probe of the endpoint over the route started.', labelNames: target, registers: r }),
      tlsVersion: new Gauge({ name: 'entra_connect_probe_tls_version_info', help: 'TLS version negotiated in the last probe (1).', labelNames: [...target, 'version'], registers: r }),
      certExpiry: new Gauge({ name: 'entra_connect_probe_tls_cert_expiry_timestamp_seconds', help: 'Earliest notAfter in the certificate chain the endpoint sent.', labelNames: target, registers: r }),
      authScheme: new Gauge({ name: 'entra_connect_probe_proxy_auth_scheme_info', help: 'Authentication schemes the proxy offered with its last 407 (1).', labelNames: [...target, 'scheme'], registers: r }),
      disturbed: new Gauge({ name: 'entra_connect_probe_timing_disturbed', help: 'Whether event-loop lag during the last probe was high enough to inflate its timings (1) or not (0).', labelNames: target, registers: r }),
      runDuration: new Gauge({ name: 'entra_connect_run_duration_seconds', help: 'Wall time of the last complete probe run.', registers: r }),
      runLast: new Gauge({ name: 'entra_connect_last_run_timestamp_seconds', help: 'When the last complete probe run ended.', registers: r }),
      runs: new Counter({ name: 'entra_connect_runs_total', help: 'Probe runs by result.', labelNames: ['result'], registers: r }),
      runsSkipped: new Counter({ name: 'entra_connect_runs_skipped_total', help: 'Scheduled runs skipped because the previous run was still going.', registers: r }),
      idleSurvived: new Gauge({ name: 'entra_connect_proxy_idle_survived', help: 'Whether a tunnel held silent for hold_seconds still answered (1) or not (0), last idle cycle.', labelNames: ['route', 'hold_seconds'], registers: r }),
      idleClose: new Gauge({ name: 'entra_connect_proxy_idle_close_seconds', help: 'Silence after which the proxy closed an idle tunnel (its idle timeout, measured), last idle cycle.', labelNames: ['route'], registers: r }),
      idleRequired: new Gauge({ name: 'entra_connect_proxy_idle_required_seconds', help: 'How long an idle tunnel must survive (Entra ID may take 5 minutes to answer an export).', registers: r }),
      idleRuns: new Counter({ name: 'entra_connect_proxy_idle_runs_total', help: 'Idle-timeout cycles by result.', labelNames: ['route', 'result'], registers: r }),
      idleLast: new Gauge({ name: 'entra_connect_proxy_idle_last_run_timestamp_seconds', help: 'When the last idle-timeout cycle ended.', labelNames: ['route'], registers: r }),
      idleSilentDrop: new Gauge({ name: 'entra_connect_proxy_idle_silent_drop', help: 'Whether the proxy dropped an idle tunnel without closing it (1) in the last cycle.', labelNames: ['route'], registers: r }),
      machineConfigInfo: new Gauge({ name: 'entra_connect_machine_config_info', help: 'The proxy settings a route reads from machine.config (1).', labelNames: ['route', 'path', 'proxy_address', 'use_default_credentials', 'bypass_on_local'], registers: r }),
      machineConfigProblems: new Gauge({ name: 'entra_connect_machine_config_problems', help: 'Problems (errors and warnings) found in the machine.config a route reads.', labelNames: ['route'], registers: r }),
      signInSuccess: new Gauge({ name: 'entra_connect_signin_discovery_success', help: 'Whether the login service answered the last user realm discovery for the domain over the route (1) or not (0).', labelNames: ['route', 'domain'], registers: r }),
      signInRealm: new Gauge({ name: 'entra_connect_signin_realm_info', help: 'What the last user realm discovery said about the domain (1): namespace_type Managed|Federated|Unknown|other, cloud_instance.', labelNames: ['route', 'domain', 'namespace_type', 'cloud_instance'], registers: r }),
      tenantFound: new Gauge({ name: 'entra_connect_tenant_found', help: 'Whether the tenant\'s OpenID configuration exists (1) or the login service said AADSTS90002 (0), last discovery.', labelNames: ['route', 'domain'], registers: r }),
      signInStep: new Gauge({ name: 'entra_connect_signin_step_duration_seconds', help: 'Duration of each step of the last sign-in discovery (realm, tenant, federation, other_cloud).', labelNames: ['route', 'domain', 'step'], registers: r }),
      signInFinding: new Gauge({ name: 'entra_connect_signin_finding', help: 'Findings of the last sign-in discovery: 1 for each current finding code, 0 for the others.', labelNames: ['route', 'domain', 'code'], registers: r }),
      signInLast: new Gauge({ name: 'entra_connect_signin_last_run_timestamp_seconds', help: 'When the last sign-in discovery for the domain over the route started.', labelNames: ['route', 'domain'], registers: r }),
      buildInfo: new Gauge({ name: 'entra_connect_build_info', help: 'Agent version (1).', labelNames: ['version', 'node_version'], registers: r }),
      reloadOk: new Gauge({ name: 'entra_connect_config_last_reload_successful', help: 'Whether the last configuration (re)load succeeded.', registers: r }),
      reloadTime: new Gauge({ name: 'entra_connect_config_last_reload_success_timestamp_seconds', help: 'When the configuration was last loaded successfully.', registers: r }),
    };
    collectDefaultMetrics({ register: this.registry });
    this.m.buildInfo.set({ version: VERSION, node_version: process.version }, 1);
  }

  /** Sets the series that follow from a plan: endpoint info, zeroed counters, the idle requirement; drops what is gone. */
  async applyPlan(plan: Plan): Promise<void> {
    const endpoints = new Set(plan.endpoints.map((e) => e.id));
    const routes = new Set(plan.routes.map((r) => r.name));
    const tenant = plan.config.tenant?.domain ? parseTenantValue(plan.config.tenant.domain) : undefined;
    const domain = tenant && !('error' in tenant) ? tenant.domain : undefined;
    await this.dropWhere((l) => (l.endpoint !== undefined && !endpoints.has(String(l.endpoint))) || (l.route !== undefined && !routes.has(String(l.route))) || (l.domain !== undefined && l.domain !== domain));
    const targets = new Set(plan.targets.map((t) => targetKey(t.endpoint.id, t.route.name)));
    for (const key of this.lastSet.keys()) if (!targets.has(key)) this.lastSet.delete(key);
    this.m.endpointInfo.reset();
    for (const e of plan.endpoints) {
      this.m.endpointInfo.set({ endpoint: e.id, url: e.url, pattern: e.pattern, port: e.port, category: e.category, cloud: e.cloud, required: String(e.required) }, 1);
    }
    for (const t of plan.targets) {
      const labels = { endpoint: t.endpoint.id, route: t.route.name };
      // Zero counters exist from the start so that increase() sees the first failure of each reason.
      this.m.probes.inc(labels, 0);
      for (const reason of FAILURE_REASONS) this.m.failures.inc({ ...labels, reason }, 0);
    }
    this.m.idleRequired.set(plan.config.idle.requiredSeconds);
    this.m.machineConfigInfo.reset();
    this.m.machineConfigProblems.reset();
    for (const route of plan.routes) {
      const mc = route.machineConfig;
      if (!mc) continue;
      const proxy = mc.result.proxy;
      this.m.machineConfigInfo.set(
        {
          route: route.name,
          path: mc.path,
          proxy_address: proxy?.enabled && proxy.proxyAddress ? proxy.proxyAddress : '',
          use_default_credentials: String(proxy?.useDefaultCredentials ?? false),
          bypass_on_local: String(proxy?.bypassOnLocal ?? false),
        },
        1,
      );
      this.m.machineConfigProblems.set({ route: route.name }, mc.findings.filter((f) => f.severity !== 'info').length);
    }
  }

  private async dropWhere(gone: (labels: Labels) => boolean): Promise<void> {
    for (const metric of Object.values(this.m)) {
      const snapshot = await metric.get();
      for (const v of snapshot.values as Array<{ labels: Labels; metricName?: string }>) {
        // A histogram has only _bucket/_sum/_count rows: its _count row carries the series' labels (no `le`).
        if (v.metricName && v.metricName !== snapshot.name && v.metricName !== `${snapshot.name}_count`) continue;
        if (gone(v.labels)) (metric as Gauge).remove(v.labels as Record<string, string>);
      }
    }
  }

  recordProbe(result: ProbeResult): void {
    const labels = { endpoint: result.endpoint, route: result.route };
    const m = this.m;
    const key = targetKey(result.endpoint, result.route);
    // Series that exist only for the current value (a phase the probe reached, its failure reason, TLS version,
    // offered schemes): the previous probe's are removed by what it set, not by trying every possible value.
    const last = this.lastSet.get(key);
    const phases: string[] = [];
    for (const phase of PHASES) {
      const spent = result.phases[phase];
      if (spent === undefined) continue;
      m.phase.set({ ...labels, phase }, spent);
      phases.push(phase);
    }
    const reason = result.reason;
    const tlsVersion = result.tls && TLS_VERSIONS.has(result.tls.version) ? result.tls.version : undefined;
    const schemes = (result.proxyAuthSchemes ?? []).map((scheme) => (AUTH_SCHEMES.has(scheme) ? scheme : 'other'));
    if (last) {
      for (const phase of last.phases) if (!phases.includes(phase)) m.phase.remove({ ...labels, phase });
      if (last.reason !== undefined && last.reason !== reason) m.failureReason.remove({ ...labels, reason: last.reason });
      if (last.tlsVersion !== undefined && last.tlsVersion !== tlsVersion) m.tlsVersion.remove({ ...labels, version: last.tlsVersion });
      for (const scheme of last.schemes) if (!schemes.includes(scheme)) m.authScheme.remove({ ...labels, scheme });
    }
    this.lastSet.set(key, { phases, reason, tlsVersion, schemes });
    m.success.set(labels, result.success ? 1 : 0);
    m.duration.set(labels, result.durationSeconds);
    m.latency.observe(labels, result.durationSeconds);
    m.probes.inc(labels);
    // Only the current reason has a series (at 1): thirteen zeros per target would cost memory and say nothing.
    if (reason) {
      m.failureReason.set({ ...labels, reason }, 1);
      m.failures.inc({ ...labels, reason });
    }
    m.httpStatus.set(labels, result.httpStatus ?? 0);
    m.proxyStatus.set(labels, result.proxyStatus ?? 0);
    m.lastRun.set(labels, result.startedAt / 1000);
    m.disturbed.set(labels, result.timingDisturbed ? 1 : 0);
    if (tlsVersion) m.tlsVersion.set({ ...labels, version: tlsVersion }, 1);
    if (result.tls && result.tls.earliestExpirySeconds > 0) m.certExpiry.set(labels, result.tls.earliestExpirySeconds);
    for (const scheme of schemes) m.authScheme.set({ ...labels, scheme }, 1);
  }

  recordRun(durationSeconds: number, endedAt: number): void {
    this.m.runDuration.set(durationSeconds);
    this.m.runLast.set(endedAt / 1000);
    this.m.runs.inc({ result: 'complete' });
  }

  recordSkippedRun(): void {
    this.m.runsSkipped.inc();
  }

  recordIdle(result: IdleResult): void {
    const route = result.route;
    this.m.idleRuns.inc({ route, result: result.verdict });
    this.m.idleLast.set({ route }, (result.startedAt + result.durationSeconds * 1000) / 1000);
    if (result.verdict === 'error') return; // an unrun cycle says nothing new about the idle timeout
    for (const hold of result.holds) this.m.idleSurvived.set({ route, hold_seconds: String(hold.holdSeconds) }, hold.survived ? 1 : 0);
    if (result.closeSeconds === undefined) this.m.idleClose.remove({ route });
    else this.m.idleClose.set({ route }, result.closeSeconds);
    this.m.idleSilentDrop.set({ route }, result.silentDrop ? 1 : 0);
  }

  recordSignIn(result: SignInResult): void {
    const labels = { route: result.route, domain: result.domain };
    const m = this.m;
    m.signInSuccess.set(labels, result.success ? 1 : 0);
    m.signInLast.set(labels, result.startedAt / 1000);
    for (const ns of [...NAMESPACE_TYPES, 'other']) {
      for (const ci of [...Object.values(CLOUD_INSTANCES), 'other']) m.signInRealm.remove({ ...labels, namespace_type: ns, cloud_instance: ci });
    }
    if (result.namespaceType) {
      m.signInRealm.set({ ...labels, namespace_type: namespaceLabel(result.namespaceType), cloud_instance: cloudInstanceLabel(result.cloudInstanceName) }, 1);
    }
    if (result.tenantFound === undefined) m.tenantFound.remove(labels);
    else m.tenantFound.set(labels, result.tenantFound ? 1 : 0);
    for (const step of SIGNIN_STEPS) {
      const last = [...result.steps].reverse().find((s) => s.step === step);
      if (last) m.signInStep.set({ ...labels, step }, last.durationSeconds);
      else m.signInStep.remove({ ...labels, step });
    }
    for (const code of SIGNIN_FINDING_CODES) m.signInFinding.set({ ...labels, code }, result.findings.some((f) => f.code === code) ? 1 : 0);
  }

  recordConfigLoad(ok: boolean, at = Date.now()): void {
    this.m.reloadOk.set(ok ? 1 : 0);
    if (ok) this.m.reloadTime.set(at / 1000);
  }

  contentType(openMetrics: boolean): string {
    return openMetrics ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : this.registry.contentType;
  }

  private rendering: Promise<unknown> = Promise.resolve();

  /**
   * Renders one exposition. Renders are serialised because the format is a registry-wide setting, and prom-client's
   * OpenMetrics rendering renames counters in place (drops `_total`): the names are put back after it.
   */
  render(openMetrics: boolean): Promise<string> {
    const next = this.rendering.then(async () => {
      if (!openMetrics) return this.registry.metrics();
      const names = this.registry.getMetricsAsArray().map((metric) => [metric, metric.name] as const);
      this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
      try {
        return await this.registry.metrics();
      } finally {
        for (const [metric, name] of names) (metric as { name: string }).name = name;
        this.registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
      }
    });
    this.rendering = next.catch(() => undefined);
    return next;
  }
}

const targetKey = (endpoint: string, route: string) => `${endpoint}\u0000${route}`;
