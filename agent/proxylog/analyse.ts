// Streaming analysis of proxy log records: per-host aggregates, then the findings (host-findings.ts).
// Memory is bounded whatever the log's length: per-host state is capped in number of hosts, tunnel medians
// come from a bounded reservoir, and the idle-timeout check keeps only the longest tunnels.
import { clip, iso, maxDefined, minDefined, note, type EntraClass, type HostStats, type Occurrence, type Tunnel } from './aggregate.js';
import { AuthRetries } from './auth-retry.js';
import type { ProxyLogFinding } from './findings.js';
import { idleTimeoutFindings, occurrenceFindings, regionalFindings, sequenceFindings } from './host-findings.js';
import type { HostClassifier } from './hosts.js';
import { detached, startedAtMs, type LogRecord } from './record.js';
import { MedianReservoir, TopK } from './stats.js';

export interface AnalysisOptions {
  /** The idle time a tunnel must survive (the article: 5 minutes). */
  requiredIdleSeconds: number;
  /** A successful retry this soon after a 407 is the normal authentication handshake. */
  authRetryWindowSeconds: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = { requiredIdleSeconds: 300, authRetryWindowSeconds: 30 };

/** Bounds that keep memory constant on hostile or huge logs (the 407 bounds are in auth-retry.ts). */
const MAX_HOSTS = 2_000;
const LONGEST_TUNNELS_KEPT = 256;

export interface HostSummary {
  host: string;
  /** Catalogue endpoint ids covering the host; empty for a regional host. */
  endpoints: string[];
  regional: boolean;
  requests: number;
  statuses: Record<string, number>;
  tunnels: { count: number; medianSeconds: number | null; maxSeconds: number | null; medianExact: boolean };
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface IgnoredHost {
  host: string;
  requests: number;
  reason: string;
}

export interface AnalysisResult {
  hosts: HostSummary[];
  ignored: IgnoredHost[];
  /** Requests to hosts that are not Entra Connect traffic. */
  unrelated: number;
  /** Entra requests left out of the per-host table because more than MAX_HOSTS hosts were seen. */
  hostsOverflow: number;
  findings: ProxyLogFinding[];
}

export class ProxyLogAnalysis {
  private readonly hosts = new Map<string, HostStats>();
  private readonly ignored = new Map<string, IgnoredHost>();
  private unrelated = 0;
  private hostsOverflow = 0;
  private readonly denied = new Map<string, Occurrence>();
  private readonly proxyErrors = new Map<string, Occurrence>();
  private readonly authRetries: AuthRetries;
  private readonly longestTunnels = new TopK<Tunnel>(LONGEST_TUNNELS_KEPT, (t) => t.ms);

  constructor(
    private readonly classifier: HostClassifier,
    private readonly options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
  ) {
    this.authRetries = new AuthRetries(options.authRetryWindowSeconds);
  }

  add(record: LogRecord, line: string): void {
    const cls = this.classifier.classify(record.host);
    if (cls.kind === 'unrelated') {
      this.unrelated++;
      return;
    }
    if (cls.kind === 'ignored') {
      const entry = this.ignored.get(record.host);
      if (entry) entry.requests++;
      else if (this.ignored.size < MAX_HOSTS) {
        const host = detached(record.host);
        this.ignored.set(host, { host, requests: 1, reason: cls.reason });
      }
      return;
    }
    const stats = this.statsFor(record, cls, line);
    if (!stats) {
      this.hostsOverflow++;
      return;
    }
    const startMs = startedAtMs(record);
    stats.requests++;
    stats.statuses.set(record.status, (stats.statuses.get(record.status) ?? 0) + 1);
    stats.firstStartMs = minDefined(stats.firstStartMs, startMs);
    stats.firstSeenMs = minDefined(stats.firstSeenMs, record.loggedAtMs);
    stats.lastSeenMs = maxDefined(stats.lastSeenMs, record.loggedAtMs);

    const { status } = record;
    if (status === 407) {
      this.authRetries.challenge(record, startMs, line);
    } else if (status === 403 || record.deniedByProxy) {
      note(this.denied, record.host, record, line);
    } else if (status >= 500 && status <= 599) {
      note(this.proxyErrors, record.host, record, line);
    } else if (status >= 100 && status <= 399) {
      stats.succeeded++;
      this.authRetries.success(record, startMs);
      if (record.method === 'CONNECT' && status < 300 && record.durationMs !== undefined) {
        this.noteTunnel(stats, record, line);
      }
    }
  }

  finish(): AnalysisResult {
    this.authRetries.finish();
    const findings = [
      ...occurrenceFindings(this.denied, 'endpoint_denied', (host, o) =>
        `The proxy denied ${o.count} request(s) to ${host} (403 Forbidden).`),
      ...occurrenceFindings(this.authRetries.unanswered, 'proxy_auth_required', (host, o) =>
        `${o.count} request(s) to ${host} got 407 Proxy Authentication Required with no successful retry from the same client within ${this.options.authRetryWindowSeconds} s.`),
      ...occurrenceFindings(this.proxyErrors, 'proxy_error', (host, o) =>
        `The proxy answered ${[...o.statuses].sort().join('/')} to ${o.count} request(s) to ${host} instead of forwarding them.`),
      ...idleTimeoutFindings(this.longestTunnels, this.options.requiredIdleSeconds),
      ...regionalFindings(this.hosts.values()),
      ...sequenceFindings(this.hosts.values()),
    ];
    const severityRank = { error: 0, warning: 1, info: 2 } as const;
    findings.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || b.count - a.count);
    return {
      hosts: [...this.hosts.values()].sort((a, b) => b.requests - a.requests || a.host.localeCompare(b.host)).map(summarize),
      ignored: [...this.ignored.values()].sort((a, b) => b.requests - a.requests),
      unrelated: this.unrelated,
      hostsOverflow: this.hostsOverflow,
      findings,
    };
  }

  private statsFor(record: LogRecord, cls: EntraClass, line: string): HostStats | undefined {
    const existing = this.hosts.get(record.host);
    if (existing) return existing;
    if (this.hosts.size >= MAX_HOSTS) return undefined;
    const host = detached(record.host);
    const stats: HostStats = {
      host,
      cls,
      order: this.hosts.size,
      port: record.port,
      requests: 0,
      succeeded: 0,
      statuses: new Map(),
      tunnels: new MedianReservoir(),
      tunnelCount: 0,
      firstLine: clip(line),
    };
    this.hosts.set(host, stats);
    return stats;
  }

  private noteTunnel(stats: HostStats, record: LogRecord, line: string): void {
    const ms = record.durationMs!;
    stats.tunnelCount++;
    stats.tunnels.add(ms);
    stats.maxTunnelMs = maxDefined(stats.maxTunnelMs, ms);
    if (this.longestTunnels.wouldKeep(ms)) {
      this.longestTunnels.add({ ms, host: stats.host, loggedAtMs: record.loggedAtMs, line: clip(line) });
    }
  }
}

function summarize(s: HostStats): HostSummary {
  const median = s.tunnels.median();
  return {
    host: s.host,
    endpoints: s.cls.endpoints,
    regional: s.cls.regional,
    requests: s.requests,
    statuses: Object.fromEntries([...s.statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
    tunnels: {
      count: s.tunnelCount,
      medianSeconds: median === undefined ? null : median / 1000,
      maxSeconds: s.maxTunnelMs === undefined ? null : s.maxTunnelMs / 1000,
      medianExact: s.tunnels.exact,
    },
    firstSeen: iso(s.firstSeenMs),
    lastSeen: iso(s.lastSeenMs),
  };
}
