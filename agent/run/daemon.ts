// The long-running agent: holds the current plan, runs it on its schedule, and hands every result to the metrics,
// the logs and the history. A reload builds a new plan and swaps it in at the next run boundary.
import { setMaxListeners } from 'node:events';
import { loadConfig, type AgentConfig } from '../config/config.js';
import { InputError } from '../errors.js';
import { ResultHistory } from '../export/history.js';
import type { Logger } from '../log.js';
import { AgentMetrics } from '../export/metrics.js';
import { buildPlan, fileMtime, type Plan } from '../plan/plan.js';
import { idleTargets, measureIdle } from '../probes/idle/probe.js';
import type { IdleResult, ProbeResult } from '../result.js';
import { runProbes } from './runner.js';
import { discoverSignInForPlan } from '../probes/signin/probe.js';
import type { SignInResult } from '../result.js';
import { schedule, type Schedule } from './scheduler.js';

export interface DaemonOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
}

export class Daemon {
  readonly metrics = new AgentMetrics();
  readonly history = new ResultHistory();
  private plan: Plan;
  private pendingPlan: Plan | undefined;
  private probeSchedule: Schedule | undefined;
  private idleSchedule: Schedule | undefined;
  private signInSchedule: Schedule | undefined;
  private readonly shutdown = new AbortController();
  private completeRuns = 0;
  private readonly log: Logger;

  /** Throws InputError when the configuration is bad: the caller reports it and exits 2. */
  constructor(private readonly options: DaemonOptions) {
    this.log = options.logger;
    this.plan = buildPlan(loadConfig(options.configFile, options.env), options.env);
  }

  get config(): AgentConfig {
    return this.plan.config;
  }

  get ready(): boolean {
    return this.completeRuns > 0;
  }

  get currentPlan(): Plan {
    return this.plan;
  }

  async start(): Promise<void> {
    await this.metrics.applyPlan(this.plan);
    this.metrics.recordConfigLoad(true);
    this.scheduleRuns();
    this.log.info({ config: this.plan.config.file, cloud: this.plan.config.cloud, endpoints: this.plan.endpoints.length, routes: this.plan.routes.map((r) => r.name), schedule: this.plan.config.probes.schedule }, 'agent started');
    // The first run starts now rather than at the first cron tick, so /-/ready comes quickly.
    void this.runOnce().catch((err) => this.log.error({ err: String(err) }, 'probe run failed'));
    if (this.plan.config.tenant.domain) void this.runSignInOnce().catch((err) => this.log.error({ err: String(err) }, 'sign-in discovery failed'));
  }

  private scheduleRuns(): void {
    const config = this.plan.config;
    this.probeSchedule = schedule(
      config.probes.schedule,
      () => this.runOnce(),
      () => {
        this.metrics.recordSkippedRun();
        this.log.warn({ schedule: config.probes.schedule }, 'previous probe run still going: this run is skipped');
      },
      (err) => this.log.error({ err: String(err) }, 'probe run failed'),
    );
    if (config.idle.enabled && idleTargets(this.plan).length > 0) {
      this.idleSchedule = schedule(
        config.idle.schedule,
        () => this.runIdleOnce(),
        () => this.log.warn('previous idle cycle still going: this cycle is skipped'),
        (err) => this.log.error({ err: String(err) }, 'idle cycle failed'),
      );
    }
    if (config.tenant.domain) {
      this.signInSchedule = schedule(
        config.tenant.schedule,
        () => this.runSignInOnce(),
        () => this.log.warn('previous sign-in discovery still going: this one is skipped'),
        (err) => this.log.error({ err: String(err) }, 'sign-in discovery failed'),
      );
    }
  }

  private signInRunning = false;

  /** Sign-in discovery for tenant.domain over every route (nothing when no tenant is configured). */
  async runSignInOnce(): Promise<SignInResult[]> {
    const plan = this.plan;
    const tenant = plan.config.tenant.domain;
    if (!tenant || this.signInRunning) return [];
    this.signInRunning = true;
    try {
      const results = await discoverSignInForPlan(plan, tenant, this.shutdown.signal);
      for (const r of results) {
        if (this.shutdown.signal.aborted || plan !== this.plan) break; // a reload swapped the plan: these are stale
        this.metrics.recordSignIn(r);
        this.history.addSignIn(r);
        const fields = { route: r.route, domain: r.domain, loginHost: r.loginHost, namespaceType: r.namespaceType, tenantFound: r.tenantFound, durationSeconds: r.durationSeconds };
        if (r.findings.length === 0) this.log.info(fields, 'sign-in discovery ok');
        else this.log.warn({ ...fields, findings: r.findings }, 'sign-in discovery found problems');
      }
      return results;
    } finally {
      this.signInRunning = false;
    }
  }

  private running: Promise<ProbeResult[]> | undefined;

  /** One complete run of the current plan. A second call while one is going joins it instead of overlapping. */
  runOnce(): Promise<ProbeResult[]> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<ProbeResult[]> {
    this.rereadChangedMachineConfigs();
    await this.switchPlanIfPending();
    const plan = this.plan;
    const started = Date.now();
    // Every probe in flight listens on the shutdown signal: as many listeners as the concurrency, by design.
    setMaxListeners(plan.config.probes.concurrency + 10, this.shutdown.signal);
    const results = await runProbes(plan.targets, plan.settings, {
      concurrency: plan.config.probes.concurrency,
      signal: this.shutdown.signal,
      onResult: (r) => this.record(r),
    });
    if (this.shutdown.signal.aborted) return results;
    const ended = Date.now();
    this.metrics.recordRun((ended - started) / 1000, ended);
    this.completeRuns++;
    const failed = results.filter((r) => !r.success);
    this.log.info({ probes: results.length, failed: failed.length, requiredFailed: failed.filter((r) => r.required).length, timingDisturbed: results.filter((r) => r.timingDisturbed).length, durationSeconds: (ended - started) / 1000 }, 'probe run complete');
    return results;
  }

  private record(result: ProbeResult): void {
    // A probe cut short by shutdown says nothing about the endpoint: neither a metric nor a log line.
    if (this.shutdown.signal.aborted) return;
    this.metrics.recordProbe(result);
    this.history.add(result);
    const fields = { endpoint: result.endpoint, route: result.route, url: result.url, via: result.via, durationSeconds: result.durationSeconds, ...(result.timingDisturbed ? { timingDisturbed: true } : {}) };
    if (result.success) {
      this.log.debug({ ...fields, httpStatus: result.httpStatus, proxyStatus: result.proxyStatus, phases: result.phases }, 'probe succeeded');
    } else {
      this.log.warn({ ...fields, reason: result.reason, detail: result.detail, remedy: result.remedy, httpStatus: result.httpStatus, proxyStatus: result.proxyStatus, required: result.required }, 'probe failed');
      this.log.debug({ ...fields, phases: result.phases }, 'probe phases');
    }
  }

  private idleRunning = false;

  async runIdleOnce(): Promise<IdleResult[]> {
    if (this.idleRunning) return [];
    this.idleRunning = true;
    try {
      const plan = this.plan;
      const idle = plan.config.idle;
      const results = await Promise.all(
        idleTargets(plan).map(({ route, endpoint }) =>
          measureIdle(route, endpoint, plan.settings, { holdSeconds: idle.holdSeconds, requiredSeconds: idle.requiredSeconds, minimumSeconds: idle.minimumSeconds }, this.shutdown.signal),
        ),
      );
      for (const r of results) {
        if (this.shutdown.signal.aborted) break;
        this.metrics.recordIdle(r);
        this.history.addIdle(r);
        const fields = { route: r.route, endpoint: r.endpoint, verdict: r.verdict, closeSeconds: r.closeSeconds, silentDrop: r.silentDrop, requiredSeconds: r.requiredSeconds, holds: r.holds.map((h) => ({ holdSeconds: h.holdSeconds, survived: h.survived })) };
        if (r.verdict === 'pass') this.log.info(fields, 'idle tunnel check passed');
        else this.log.warn({ ...fields, reason: r.reason, detail: r.detail, remedy: r.remedy }, r.verdict === 'warn' ? 'idle tunnel check passed the 5-minute minimum only' : 'idle tunnel check failed');
      }
      return results;
    } finally {
      this.idleRunning = false;
    }
  }

  /** Re-reads the configuration. A bad file keeps the old plan running; a good one is used from the next run on. */
  reload(): { ok: true } | { ok: false; error: string } {
    try {
      const next = buildPlan(loadConfig(this.options.configFile ?? this.plan.config.file, this.options.env), this.options.env);
      this.pendingPlan = next;
      this.metrics.recordConfigLoad(true);
      this.log.info({ config: next.config.file }, 'configuration reloaded: the new plan starts with the next run');
      if (!this.running) void this.switchPlanIfPending();
      return { ok: true };
    } catch (err) {
      const message = err instanceof InputError ? err.message : String(err);
      this.metrics.recordConfigLoad(false);
      const where = err instanceof InputError ? { file: err.file, key: err.key, problem: err.problem } : {};
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
      this.log.error({ error: err instanceof InputError ? err.message : String(err) }, 'machine.config changed but the plan could not be rebuilt');
    }
  }

  private async switchPlanIfPending(): Promise<void> {
    const next = this.pendingPlan;
    if (!next) return;
    this.pendingPlan = undefined;
    const scheduleChanged = next.config.probes.schedule !== this.plan.config.probes.schedule || next.config.idle.schedule !== this.plan.config.idle.schedule || next.config.idle.enabled !== this.plan.config.idle.enabled || next.config.tenant.schedule !== this.plan.config.tenant.schedule || next.config.tenant.domain !== this.plan.config.tenant.domain;
    this.plan = next;
    await this.metrics.applyPlan(next);
    const endpoints = new Set(next.endpoints.map((e) => e.id));
    const routes = new Set(next.routes.map((r) => r.name));
    this.history.retain((endpoint, route) => (endpoint === '' || endpoints.has(endpoint)) && routes.has(route));
    if (scheduleChanged && !this.shutdown.signal.aborted) {
      this.probeSchedule?.stop();
      this.idleSchedule?.stop();
      this.idleSchedule = undefined;
      this.signInSchedule?.stop();
      this.signInSchedule = undefined;
      this.scheduleRuns();
    }
  }

  /** Stops scheduling, aborts probes and idle tunnels in flight, and waits (briefly) for them to let go. */
  async stop(): Promise<void> {
    this.probeSchedule?.stop();
    this.idleSchedule?.stop();
    this.signInSchedule?.stop();
    this.shutdown.abort();
    await Promise.race([this.running ?? Promise.resolve(), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
