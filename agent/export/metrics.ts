// The agent's series, built from the metric contract (contract.ts): the families every probe kind records into,
// the plan-level series, and the exposition. The per-target families (one series or more per endpoint x route, most
// of the agent's series) live in columns by target slot (targets.ts); the rest, a few series per route or per plan,
// and Node's process metrics are prom-client's. Label values come only from the configuration, the catalogue or
// closed sets, never from what a remote party sends.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS } from './contract.js';
import { TargetHistogram, TargetLabels, TargetTable, TargetValues } from './targets.js';
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

function targetFamilies(table: TargetTable) {
  const c = METRICS;
  const values = (def: (typeof METRICS)[keyof typeof METRICS], by?: string) => table.add(new TargetValues(def, by));
  const labels = (def: (typeof METRICS)[keyof typeof METRICS], label: string) => table.add(new TargetLabels(def, label));
  return {
    success: values(c.success),
    duration: values(c.duration),
    phase: values(c.phase, 'phase'),
    latency: table.add(new TargetHistogram(c.latency, LATENCY_BUCKETS)),
    probes: values(c.probes),
    failures: values(c.failures, 'reason'),
    failureReason: labels(c.failureReason, 'reason'),
    httpStatus: values(c.httpStatus),
    proxyStatus: values(c.proxyStatus),
    lastRun: values(c.lastRun),
    tlsVersion: labels(c.tlsVersion, 'version'),
    certExpiry: values(c.certExpiry),
    earliestExpiry: values(c.earliestExpiry),
    tlsCipher: labels(c.tlsCipher, 'cipher'),
    tlsRoot: labels(c.tlsRoot, 'root'),
    authScheme: labels(c.authScheme, 'scheme'),
    disturbed: values(c.disturbed),
  };
}

export class AgentMetrics {
  readonly registry = new Registry();
  /** The targets (endpoint x route) and their slots in the per-target families. */
  readonly targets = new TargetTable();
  /** The per-target families of the contract, by its key there: the http probe kind records into these by slot. */
  readonly t = targetFamilies(this.targets);
  /** The contract's other series, by its key there: each probe kind records its results into these. */
  readonly m;

  constructor() {
    const r = [this.registry];
    const c = METRICS;
    this.m = {
      endpointInfo: new Gauge({ ...c.endpointInfo, registers: r }),
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
    // net/loop-lag.ts, which samples only while probes are in flight (every 10 ms while several are).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    this.m.buildInfo.set({ version: VERSION, node_version: process.version }, 1);
  }

  /** Sets the series that follow from a plan (endpoint info, machine.config facts) and drops those of what is gone. */
  async applyPlan(plan: Plan): Promise<void> {
    const endpoints = new Set(plan.endpoints.map((e) => e.id));
    const routes = new Set(plan.routes.map((r) => r.name));
    const tenant = plan.config.tenant?.domain ? parseTenantValue(plan.config.tenant.domain) : undefined;
    const domain = tenant && !('error' in tenant) ? tenant.domain : undefined;
    this.targets.dropWhere((endpoint, route) => !endpoints.has(endpoint) || !routes.has(route));
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
      for (const v of snapshot.values as Array<{ labels: Labels }>) {
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

  /** The exposition as one text (tests, small agents); the server writes exposition()'s chunks as they come. */
  async render(openMetrics: boolean): Promise<string> {
    let text = '';
    for await (const chunk of this.exposition(openMetrics)) text += chunk;
    return text;
  }

  /**
   * The exposition in chunks: prom-client's families, then the per-target ones, written as the consumer asks for
   * them. prom-client's part is rendered one at a time because the format is a registry-wide setting, and its
   * OpenMetrics rendering renames counters in place (drops `_total`): the names are put back after it.
   */
  async *exposition(openMetrics: boolean): AsyncGenerator<string, void, undefined> {
    const next = this.rendering.then(() => this.renderRegistry(openMetrics));
    this.rendering = next.then(
      () => undefined,
      () => undefined,
    );
    const registryText = await next;
    yield openMetrics ? registryText.replace(/# EOF\n$/, '') : registryText;
    yield* this.targets.exposition(openMetrics);
    if (openMetrics) yield '# EOF\n';
  }

  private async renderRegistry(openMetrics: boolean): Promise<string> {
    if (!openMetrics) return this.registry.metrics();
    const names = this.registry.getMetricsAsArray().map((metric) => [metric, metric.name] as const);
    this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    try {
      return await this.registry.metrics();
    } finally {
      for (const [metric, name] of names) (metric as { name: string }).name = name;
      this.registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    }
  }
}
