// The agent's series, built from the metric contract (contract.ts): the registry every probe kind records into,
// the plan-level series, and the exposition. Label values come only from the
// configuration, the catalogue or closed sets, never from what a remote party sends.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS } from './contract.js';
import type { Plan } from '../plan/plan.js';
import { parseTenantValue } from '../config/values.js';
import { VERSION } from '../version.js';
import type { HostCheck } from '../host/check.js';
import { HOST_FINDING_CODES } from '../host/findings.js';
import { revocationRoute } from '../plan/plan.js';

/** The period, in ms, of prom-client's event-loop delay histogram (nodejs_eventloop_lag_*). */
export const EVENT_LOOP_SAMPLE_MS = 1000;

const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string | number>;

export class AgentMetrics {
  readonly registry = new Registry();
  /** Every series of the contract, by its key there: each probe kind records its results into these. */
  readonly m;

  constructor() {
    const r = [this.registry];
    const c = METRICS;
    this.m = {
      endpointInfo: new Gauge({ ...c.endpointInfo, registers: r }),
      success: new Gauge({ ...c.success, registers: r }),
      duration: new Gauge({ ...c.duration, registers: r }),
      phase: new Gauge({ ...c.phase, registers: r }),
      latency: new Histogram({ ...c.latency, buckets: LATENCY_BUCKETS, registers: r }),
      probes: new Counter({ ...c.probes, registers: r }),
      failures: new Counter({ ...c.failures, registers: r }),
      failureReason: new Gauge({ ...c.failureReason, registers: r }),
      httpStatus: new Gauge({ ...c.httpStatus, registers: r }),
      proxyStatus: new Gauge({ ...c.proxyStatus, registers: r }),
      lastRun: new Gauge({ ...c.lastRun, registers: r }),
      tlsVersion: new Gauge({ ...c.tlsVersion, registers: r }),
      certExpiry: new Gauge({ ...c.certExpiry, registers: r }),
      earliestExpiry: new Gauge({ ...c.earliestExpiry, registers: r }),
      tlsCipher: new Gauge({ ...c.tlsCipher, registers: r }),
      tlsRoot: new Gauge({ ...c.tlsRoot, registers: r }),
      authScheme: new Gauge({ ...c.authScheme, registers: r }),
      disturbed: new Gauge({ ...c.disturbed, registers: r }),
      runDuration: new Gauge({ ...c.runDuration, registers: r }),
      runLast: new Gauge({ ...c.runLast, registers: r }),
      runs: new Counter({ ...c.runs, registers: r }),
      runsSkipped: new Counter({ ...c.runsSkipped, registers: r }),
      idleSurvived: new Gauge({ ...c.idleSurvived, registers: r }),
      idleClose: new Gauge({ ...c.idleClose, registers: r }),
      idleRequired: new Gauge({ ...c.idleRequired, registers: r }),
      idleMinimum: new Gauge({ ...c.idleMinimum, registers: r }),
      idleVerdict: new Gauge({ ...c.idleVerdict, registers: r }),
      idleRuns: new Counter({ ...c.idleRuns, registers: r }),
      idleLast: new Gauge({ ...c.idleLast, registers: r }),
      idleSilentDrop: new Gauge({ ...c.idleSilentDrop, registers: r }),
      machineConfigInfo: new Gauge({ ...c.machineConfigInfo, registers: r }),
      machineConfigProblems: new Gauge({ ...c.machineConfigProblems, registers: r }),
      signInSuccess: new Gauge({ ...c.signInSuccess, registers: r }),
      signInRealm: new Gauge({ ...c.signInRealm, registers: r }),
      tenantFound: new Gauge({ ...c.tenantFound, registers: r }),
      signInStep: new Gauge({ ...c.signInStep, registers: r }),
      signInFinding: new Gauge({ ...c.signInFinding, registers: r }),
      signInLast: new Gauge({ ...c.signInLast, registers: r }),
      routeInfo: new Gauge({ ...c.routeInfo, registers: r }),
      hostInfo: new Gauge({ ...c.hostInfo, registers: r }),
      hostFinding: new Gauge({ ...c.hostFinding, registers: r }),
      revocationSuccess: new Gauge({ ...c.revocationSuccess, registers: r }),
      revocationDuration: new Gauge({ ...c.revocationDuration, registers: r }),
      revocationUrls: new Gauge({ ...c.revocationUrls, registers: r }),
      revocationProbes: new Counter({ ...c.revocationProbes, registers: r }),
      revocationFailures: new Counter({ ...c.revocationFailures, registers: r }),
      revocationUncovered: new Gauge({ ...c.revocationUncovered, registers: r }),
      buildInfo: new Gauge({ ...c.buildInfo, registers: r }),
      reloadOk: new Gauge({ ...c.reloadOk, registers: r }),
      reloadTime: new Gauge({ ...c.reloadTime, registers: r }),
    };
    // prom-client samples the event loop's delay with a timer of this period (10 ms by default): 100 wake-ups a second
    // cost an idle agent 6.5 ms of CPU a second, more than its probes at one run a minute. Once a second still
    // catches every stall of a second or more in nodejs_eventloop_lag_p99/_max; a probe's own timing is judged by
    // net/loop-lag.ts, which samples every 10 ms but only while probes are in flight.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    this.m.buildInfo.set({ version: VERSION, node_version: process.version }, 1);
  }

  /** Sets the series that follow from a plan (endpoint info, machine.config facts) and drops those of what is gone. */
  async applyPlan(plan: Plan): Promise<void> {
    const endpoints = new Set(plan.endpoints.map((e) => e.id));
    const routes = new Set(plan.routes.map((r) => r.name));
    const tenant = plan.config.tenant?.domain ? parseTenantValue(plan.config.tenant.domain) : undefined;
    const domain = tenant && !('error' in tenant) ? tenant.domain : undefined;
    await this.dropWhere((l) => (l.endpoint !== undefined && !endpoints.has(String(l.endpoint))) || (l.route !== undefined && !routes.has(String(l.route))) || (l.domain !== undefined && l.domain !== domain));
    this.m.endpointInfo.reset();
    for (const e of plan.endpoints) {
      this.m.endpointInfo.set({ endpoint: e.id, url: e.url, pattern: e.pattern, port: e.port, category: e.category, cloud: e.cloud, required: String(e.required) }, 1);
    }
    this.m.routeInfo.reset();
    for (const route of plan.routes) this.m.routeInfo.set({ route: route.name, kind: route.kind, revocation: revocationRoute(plan.routes, route).name }, 1);
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


  recordRun(durationSeconds: number, endedAt: number): void {
    this.m.runDuration.set(durationSeconds);
    this.m.runLast.set(endedAt / 1000);
    this.m.runs.inc({ result: 'complete' });
  }

  recordSkippedRun(): void {
    this.m.runsSkipped.inc();
  }



  /** The host check's facts and findings; nothing is exported for a host that was not read (skipped off Windows). */
  recordHost(host: HostCheck): void {
    this.m.hostInfo.reset();
    this.m.hostFinding.reset();
    const f = host.facts;
    if (f) {
      const version = f.sync.version && /^\d+(\.\d+){0,3}$/.test(f.sync.version) ? f.sync.version : f.sync.entries.length > 0 ? 'unknown' : 'none';
      this.m.hostInfo.set({ os_version: f.os.version, sync_version: version, dotnet_release: f.dotnetRelease !== undefined ? String(f.dotnetRelease) : 'none' }, 1);
    }
    if (!f && host.findings.length === 0) return;
    for (const code of HOST_FINDING_CODES) {
      const present = host.findings.some((x) => x.code === code);
      // Read from a registry, every code has a series; from a winhttp route alone, only the codes it found.
      if (f || present) this.m.hostFinding.set({ code }, present ? 1 : 0);
    }
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
