// The long-running agent: holds the current plan and runs every probe kind on its own schedule through one job
// loop: no run of a kind overlaps the previous one, results are recorded (metrics, history, a log line) only while
// the plan they started on is still current, and a reload swaps the plan in at the next run boundary.
import { setMaxListeners } from 'node:events';
import { roomForLargeRun } from './heap.js';
import { loadConfig, type AgentConfig } from '../config/config.js';
import { InputError } from '../errors.js';
import { ResultHistory } from '../export/history.js';
import { hostCheck, type HostCheck } from '../host/check.js';
import { AgentMetrics } from '../export/metrics.js';
import { errorFields, type Logger } from '../log.js';
import { loadWinHttpRoute } from '../host/winhttp-route.js';
import { buildPlan, fileMtime, type Plan } from '../plan/plan.js';
import type { AnyProbe } from '../probes/probe.js';
import { PROBES, type AnyResult, type ProbeKind } from '../probes/registry.js';
import { takeSnapshot, type StatusSnapshot } from '../serve/snapshot.js';
import { runTargets } from './runner.js';
import { schedule, type Schedule } from './scheduler.js';

export interface DaemonOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** The probe kinds to run; every registered kind unless a test narrows it. */
  probes?: readonly AnyProbe[];
  /** How often the server's registry (host facts, WinHTTP's proxy) is read again between reloads; default 10 minutes. */
  serverRereadMs?: number;
}

/**
 * An upgrade of Entra Connect or `netsh winhttp set proxy` happens without a reload of the agent: reading the
 * registry again this often lets its findings and the winhttp route follow, at a few reg.exe runs per period.
 */
export const SERVER_REREAD_MS = 10 * 60 * 1000;

interface Job {
  probe: AnyProbe;
  schedule?: Schedule;
  /** The cron expression the schedule was made from, to tell whether a new plan changes it. */
  expression?: string;
  inFlight?: Promise<AnyResult[]>;
  completedRuns: number;
}

export class Daemon {
  readonly metrics = new AgentMetrics();
  readonly history = new ResultHistory<AnyResult>();
  /** The last host check (Entra Connect server facts and findings). */
  host: HostCheck = { findings: [] };
  private plan: Plan;
  private pendingPlan: Plan | undefined;
  /** When the server's registry was last read (Date.now()). */
  private serverReadAt = 0;
  private readonly jobs: Job[];
  private readonly shutdown = new AbortController();
  private readonly log: Logger;

  /** Throws InputError when the configuration is bad: the caller reports it and exits 2. */
  constructor(private readonly options: DaemonOptions) {
    this.log = options.logger;
    this.plan = buildPlan(loadConfig(options.configFile, options.env), options.env);
    this.jobs = (options.probes ?? PROBES).map((probe) => ({ probe, completedRuns: 0 }));
  }

  get config(): AgentConfig {
    return this.plan.config;
  }

  get ready(): boolean {
    return this.jobs.every((job) => !job.probe.gatesReadiness || job.completedRuns > 0);
  }

  get currentPlan(): Plan {
    return this.plan;
  }

  private async applyPlan(plan: Plan): Promise<void> {
    await this.metrics.applyPlan(plan);
    for (const job of this.jobs) job.probe.prepare?.(this.metrics, plan);
  }

  async start(): Promise<void> {
    await this.applyPlan(this.plan);
    this.metrics.recordConfigLoad(true);
    await this.readHost();
    this.scheduleJobs();
    this.log.info({ config: this.plan.config.file, cloud: this.plan.config.cloud, endpoints: this.plan.endpoints.length, routes: this.plan.routes.map((r) => r.name), schedule: this.plan.config.probes.schedule }, 'agent started');
    for (const job of this.jobs) {
      if (job.probe.runAtStart && job.probe.schedule(this.plan) !== undefined) void this.runJob(job);
    }
  }

  /** One run of a kind over the current plan. A call while one is going joins it instead of overlapping. */
  run(kind: ProbeKind): Promise<AnyResult[]> {
    const job = this.jobs.find((j) => j.probe.kind === kind);
    return job ? this.runJob(job) : Promise.resolve([]);
  }

  private runJob(job: Job): Promise<AnyResult[]> {
    if (job.inFlight) return job.inFlight;
    const running = this.runOnce(job)
      .catch((err: unknown) => {
        this.log.error({ kind: job.probe.kind, ...errorFields(err) }, 'probe run failed');
        return [] as AnyResult[];
      })
      .finally(() => {
        job.inFlight = undefined;
      });
    job.inFlight = running;
    return running;
  }

  private async runOnce(job: Job): Promise<AnyResult[]> {
    this.rereadChangedMachineConfigs();
    await this.rereadServerIfDue();
    await this.switchPlanIfPending();
    const plan = this.plan;
    const probe = job.probe;
    const started = performance.now();
    this.log.debug({ kind: probe.kind }, 'probe run started');
    // Every probe in flight listens on the shutdown signal: as many listeners as the concurrency, by design.
    setMaxListeners(plan.config.probes.concurrency + plan.routes.length + 10, this.shutdown.signal);
    const targets = probe.targets(plan, this.history);
    const release = roomForLargeRun(targets.length);
    let results: AnyResult[];
    try {
      results = await runTargets(probe, plan, targets, {
        concurrency: probe.concurrency(plan),
        signal: this.shutdown.signal,
        onResult: (result) => this.record(probe, plan, result),
      });
    } finally {
      release();
    }
    if (this.shutdown.signal.aborted || plan !== this.plan) return results;
    job.completedRuns++;
    probe.runComplete?.(this.metrics, this.log, results, (performance.now() - started) / 1000);
    return results;
  }

  private record(probe: AnyProbe, plan: Plan, result: AnyResult): void {
    // A probe cut short by shutdown says nothing about its target, and one that started on a plan since replaced
    // would bring back the series and status rows of targets and routes that are gone.
    if (this.shutdown.signal.aborted || plan !== this.plan) return;
    probe.record(this.metrics, result);
    this.history.add(result);
    probe.log(this.log, result);
  }

  private scheduleJobs(): void {
    for (const job of this.jobs) this.scheduleJob(job);
  }

  private scheduleJob(job: Job): void {
    job.schedule?.stop();
    job.schedule = undefined;
    job.expression = job.probe.schedule(this.plan);
    if (job.expression === undefined || this.shutdown.signal.aborted) return;
    const kind = job.probe.kind;
    job.schedule = schedule(
      job.expression,
      () => {
        if (!job.inFlight) return this.runJob(job);
        this.skipped(job);
        return Promise.resolve();
      },
      () => this.skipped(job),
      (err) => this.log.error({ kind, ...errorFields(err) }, 'probe run failed'),
    );
  }

  private skipped(job: Job): void {
    this.metrics.recordSkippedRun();
    this.log.warn({ kind: job.probe.kind, schedule: job.expression }, 'previous run of this probe kind still going: this run is skipped');
  }

  /** Re-reads the configuration. A bad file keeps the old plan running; a good one is used from the next run on. */
  reload(): { ok: true } | { ok: false; error: string } {
    try {
      const next = buildPlan(loadConfig(this.options.configFile ?? this.plan.config.file, this.options.env), this.options.env);
      this.pendingPlan = next;
      this.metrics.recordConfigLoad(true);
      this.log.info({ config: next.config.file }, 'configuration reloaded: the new plan starts with the next run');
      if (!this.jobs.some((j) => j.inFlight)) void this.switchPlanIfPending();
      return { ok: true };
    } catch (err) {
      const message = err instanceof InputError ? err.message : String(err);
      this.metrics.recordConfigLoad(false);
      const where = err instanceof InputError ? { file: err.file, key: err.key, problem: err.problem } : errorFields(err);
      this.log.error({ error: message, ...where }, 'configuration reload failed: still running the previous configuration');
      return { ok: false, error: message };
    }
  }

  /** A machine.config that changed since the plan was built is read again, as the sync engine would after a restart. */
  private rereadChangedMachineConfigs(): void {
    if (this.pendingPlan) return;
    const changed = this.plan.routes.some((r) => r.machineConfig && fileMtime(r.machineConfig.path) !== r.machineConfig.mtimeMs);
    if (!changed) return;
    try {
      this.pendingPlan = buildPlan(this.plan.config, this.options.env);
      this.log.info('machine.config changed: its proxy settings are read again');
    } catch (err) {
      this.log.error({ ...errorFields(err) }, 'machine.config changed but the plan could not be rebuilt');
    }
  }

  /**
   * WinHTTP's proxy settings that changed since the plan was built make a new plan (which reads the host facts
   * again); otherwise only the host facts are read again.
   */
  private async rereadServerIfDue(): Promise<void> {
    if (this.pendingPlan || Date.now() - this.serverReadAt < (this.options.serverRereadMs ?? SERVER_REREAD_MS)) return;
    this.serverReadAt = Date.now(); // before any await: a run of another kind starting meanwhile does not read it too
    if (this.winHttpChanged()) {
      try {
        this.pendingPlan = buildPlan(this.plan.config, this.options.env);
        this.log.info('WinHTTP proxy settings changed: the winhttp route is read again');
        return;
      } catch (err) {
        this.log.error({ ...errorFields(err) }, 'WinHTTP proxy settings changed but the plan could not be rebuilt');
      }
    }
    await this.readHost();
  }

  private winHttpChanged(): boolean {
    const routes = this.plan.config.routes ?? [];
    return this.plan.routes.some((route, index) => {
      const spec = routes[index]?.winhttp;
      if (!route.winhttp || !spec) return false;
      try {
        const now = loadWinHttpRoute(spec, this.plan.config.file, index, process.platform, this.options.env);
        return JSON.stringify(now.settings ?? null) !== JSON.stringify(route.winhttp.settings ?? null);
      } catch {
        return true; // unreadable now: the rebuild says why, and the running plan stays
      }
    });
  }

  /** The server's host facts change rarely (an upgrade, a registry edit): read at start, with each new plan and every SERVER_REREAD_MS. */
  private async readHost(): Promise<void> {
    this.serverReadAt = Date.now();
    try {
      this.host = await hostCheck(this.plan, { env: this.options.env });
    } catch (err) {
      this.host = { skipped: `Entra Connect server checks failed: ${(err as Error).message}`, findings: [] };
    }
    this.metrics.recordHost(this.host);
    if (this.host.skipped) this.log.info({ host: this.host.skipped }, 'host checks skipped');
    for (const f of this.host.findings) if (f.severity !== 'info') this.log.warn({ source: 'host', code: f.code, severity: f.severity, remedy: f.remedy }, f.message);
  }

  private async switchPlanIfPending(): Promise<void> {
    const next = this.pendingPlan;
    if (!next) return;
    this.pendingPlan = undefined;
    this.plan = next;
    await this.applyPlan(next);
    await this.readHost();
    const endpoints = new Set(next.endpoints.map((e) => e.id));
    const routes = new Set(next.routes.map((r) => r.name));
    const kinds = new Map(this.jobs.map((job) => [job.probe.kind, job.probe]));
    this.history.retain((r) => {
      if (!routes.has(r.route)) return false;
      const probe = kinds.get(r.kind);
      return probe?.stillCurrent ? probe.stillCurrent(r, next) : endpoints.has(r.target);
    });
    for (const job of this.jobs) if (job.probe.schedule(next) !== job.expression) this.scheduleJob(job);
  }

  /** What the status page and /status show: a copy taken now, so they never reach into the daemon. */
  snapshot(): StatusSnapshot {
    // The whole ring: the page's drill-down reads the last probes of one endpoint × route from it.
    return takeSnapshot(this.plan, this.history.snapshot(Number.MAX_SAFE_INTEGER), this.ready, this.host);
  }

  /** Stops scheduling, aborts probes and idle tunnels in flight, and waits (briefly) for them to let go. */
  async stop(): Promise<void> {
    for (const job of this.jobs) job.schedule?.stop();
    this.shutdown.abort();
    const inFlight = this.jobs.map((j) => j.inFlight).filter((p) => p !== undefined);
    await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
