// Every threshold the alert rules, their promtool tests and the dashboards use, named once (node-mixin keeps
// its in config.libsonnet for the same reason). Durations are in seconds; duration() and prose() below write
// them the way PromQL and the alert texts want them. Change a value here and run `npm run build:dashboards`.

export const THRESHOLDS = {
  /** The Prometheus job the agent is scraped as (EntraConnectAgentDown reads `up` of this job only). */
  agentJob: 'entra-connect',
  /** A required endpoint down this long pages (EntraConnectEndpointDown, critical). */
  endpointDownForSeconds: 5 * 60,
  /** An endpoint with required: false down this long warns (EntraConnectOptionalEndpointDown). */
  optionalEndpointDownForSeconds: 15 * 60,
  intermittent: {
    /** The sliding window over which failures are counted. */
    windowSeconds: 60 * 60,
    /** Fires above this share of failed probes in the window (5 %). */
    failureRatio: 0.05,
    /** ... with at least this many failures in the window ... */
    minFailures: 2,
    /**
     * ... in separate episodes: changes(probe_success[window]) at least this (down, up, down again). One outage
     * is "down", not "intermittent".
     */
    minChanges: 3,
    /** ... and not down for the whole window: at least one successful probe within this much. */
    recentSuccessSeconds: 15 * 60,
    forSeconds: 10 * 60,
  },
  /** The proxy answering 403 or 407 to a required endpoint this long pages. */
  proxyAnswerForSeconds: 2 * 60,
  /**
   * How long an idle tunnel must survive to pass: the prerequisites' "at least 6 minutes". The agent exports its
   * configured value (idle.requiredSeconds, default this); the dashboards colour against this default. A test
   * checks it equals the configuration default.
   */
  idleRequiredSeconds: 360,
  /**
   * Below this an idle tunnel fails: the article's "greater than 5 minutes" (idle.minimumSeconds, default this).
   * Between the two the agent's verdict is warn. The too-short alert compares the measured close with the
   * exported series; a test checks this equals the configuration default.
   */
  idleMinimumSeconds: 300,
  /** The idle-timeout alerts (closed too early, below the prerequisites, dropped silently) fire after this long. */
  proxyIdleForSeconds: 5 * 60,
  /** A TLS-inspected endpoint (tls_intercepted) this long warns: two probes at the default schedule. */
  tlsInterceptedForSeconds: 2 * 60,
  probesStale: {
    /** The longest probe interval the stale alert allows for (schedule runs at least every 5 minutes). */
    longestIntervalSeconds: 5 * 60,
    /** Stale after this many intervals without a completed run. */
    factor: 3,
  },
  /** Prometheus failing to scrape the agent this long warns. */
  agentDownForSeconds: 5 * 60,
  machineConfigProblemsForSeconds: 15 * 60,
  configReloadFailedForSeconds: 5 * 60,
  /** A host finding (sync version, WinHTTP) held this long alerts: host facts are read at start and on reload. */
  hostFindingForSeconds: 5 * 60,
  /** A CRL or OCSP URL of a served chain failing over the revocation route this long warns (several runs). */
  revocationFailingForSeconds: 10 * 60,
  /** A served chain naming a revocation host no catalogue row covers, this long, warns (once it is clearly not a blip). */
  revocationUncoveredForSeconds: 60 * 60,
  /** Three discoveries at the default tenant.schedule of every 5 minutes. */
  signInFailingForSeconds: 15 * 60,
  /** TLS certificate expiry colours on the endpoint detail: red below the first, orange below the second. */
  certExpiryRedSeconds: 7 * 86_400,
  certExpiryOrangeSeconds: 30 * 86_400,
} as const;

/** Seconds without a completed probe run after which EntraConnectProbesStale fires (and "Last run" turns red). */
export const PROBES_STALE_SECONDS = THRESHOLDS.probesStale.longestIntervalSeconds * THRESHOLDS.probesStale.factor;

/** A PromQL/rule duration: 300 -> "5m", 3600 -> "1h", 90 -> "90s". */
export function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A duration in words for alert texts: 300 -> "5 minutes", 3600 -> "1 hour". */
export function prose(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return unit(seconds / 60, 'minute');
  return unit(seconds, 'second');
}

/** A ratio as the percentage the texts show: 0.05 -> "5 %". */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 10_000) / 100} %`;
}
