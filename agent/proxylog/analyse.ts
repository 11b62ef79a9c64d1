// Streaming analysis of proxy log records: per-host aggregates and the findings the issue asks for.
// Memory is bounded whatever the log's length: per-host state is capped in number of hosts, tunnel medians
// come from a bounded reservoir, and the idle-timeout check keeps only the longest tunnels.
import { stringify as toYaml } from 'yaml';
import { detached, startedAtMs, type LogRecord } from './record.js';
import { HostClassifier, type HostClass, type HostRole } from './hosts.js';
import { MedianReservoir, TopK, median } from './stats.js';
import {
  ERROR_REMEDIES,
  IDLE_TIMEOUT_REMEDY,
  REFERENCE_SEQUENCE,
  REFERENCE_STEPS,
  REGIONAL_ENDPOINT_REMEDY,
  SEQUENCE_REMEDY,
  type ProxyLogFinding,
} from './findings.js';

export interface AnalysisOptions {
  /** The idle time a tunnel must survive (the article: 5 minutes). */
  requiredIdleSeconds: number;
  /** A successful retry this soon after a 407 is the normal authentication handshake. */
  authRetryWindowSeconds: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = { requiredIdleSeconds: 300, authRetryWindowSeconds: 30 };

/** Bounds that keep memory constant on hostile or huge logs. */
const MAX_HOSTS = 2_000;
const MAX_PENDING_AUTH_KEYS = 10_000; // client-host pairs
const MAX_PENDING_AUTH_PER_KEY = 1_000;
const LONGEST_TUNNELS_KEPT = 256;
const MAX_EXAMPLE_CHARS = 500;
/** A signature needs several tunnels cut at the same length: one short tunnel is just a short tunnel. */
const MIN_SIGNATURE_TUNNELS = 3;
const SIGNATURE_SPREAD_MS = 1_000;
/** Shorter tunnels are ordinary short requests, not idle cuts. */
const MIN_SIGNATURE_MS = 1_000;

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

type EntraClass = Extract<HostClass, { kind: 'entra' }>;

interface HostStats {
  host: string;
  cls: EntraClass;
  order: number;
  port?: number;
  requests: number;
  /** Requests answered 1xx-3xx. */
  succeeded: number;
  statuses: Map<number, number>;
  tunnels: MedianReservoir;
  tunnelCount: number;
  maxTunnelMs?: number;
  firstStartMs?: number;
  firstSeenMs?: number;
  lastSeenMs?: number;
  firstLine: string;
}

/** Lines behind one finding for one host. */
interface Occurrence {
  count: number;
  firstMs?: number;
  lastMs?: number;
  example: string;
  statuses: Set<number>;
}

interface PendingAuth {
  host: string;
  /** 407s not yet followed by a success: when they started (for the window) and were logged (for the report). */
  challenges: { startMs?: number; loggedAtMs?: number }[];
  example: string;
}

interface Tunnel {
  ms: number;
  host: string;
  loggedAtMs?: number;
  line: string;
}

export class ProxyLogAnalysis {
  private readonly hosts = new Map<string, HostStats>();
  private readonly ignored = new Map<string, IgnoredHost>();
  private unrelated = 0;
  private hostsOverflow = 0;
  private readonly denied = new Map<string, Occurrence>();
  private readonly proxyErrors = new Map<string, Occurrence>();
  private readonly unansweredAuth = new Map<string, Occurrence>();
  /** host -> client -> 407s waiting for their retry. */
  private readonly pendingAuth = new Map<string, Map<string, PendingAuth>>();
  private pendingAuthCount = 0;
  private readonly longestTunnels = new TopK<Tunnel>(LONGEST_TUNNELS_KEPT, (t) => t.ms);

  constructor(
    private readonly classifier: HostClassifier,
    private readonly options: AnalysisOptions = DEFAULT_ANALYSIS_OPTIONS,
  ) {}

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
      this.noteAuthChallenge(record, startMs, line);
    } else if (status === 403 || record.deniedByProxy) {
      note(this.denied, record.host, record, line);
    } else if (status >= 500 && status <= 599) {
      note(this.proxyErrors, record.host, record, line);
    } else if (status >= 100 && status <= 399) {
      stats.succeeded++;
      this.resolveAuthChallenges(record, startMs);
      if (record.method === 'CONNECT' && status < 300 && record.durationMs !== undefined) {
        this.noteTunnel(stats, record, line);
      }
    }
  }

  finish(): AnalysisResult {
    this.finalizeAllAuth();
    const findings = [
      ...occurrenceFindings(this.denied, 'endpoint_denied', (host, o) =>
        `The proxy denied ${o.count} request(s) to ${host} (403 Forbidden).`),
      ...occurrenceFindings(this.unansweredAuth, 'proxy_auth_required', (host, o) =>
        `${o.count} request(s) to ${host} got 407 Proxy Authentication Required with no successful retry from the same client within ${this.options.authRetryWindowSeconds} s.`),
      ...occurrenceFindings(this.proxyErrors, 'proxy_error', (host, o) =>
        `The proxy answered ${[...o.statuses].sort().join('/')} to ${o.count} request(s) to ${host} instead of forwarding them.`),
      ...this.idleTimeoutFindings(),
      ...this.regionalFindings(),
      ...this.sequenceFindings(),
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

  // A 407 is the first half of the normal handshake: it becomes a finding only when no successful request
  // from the same client to the same host starts within the window. squid logs a tunnel when it ends, so the
  // success may come much later in the file; pending 407s wait until the end (or until a bound is reached).
  // Keyed host -> client: no key string is built for the many successful lines.
  private noteAuthChallenge(record: LogRecord, startMs: number | undefined, line: string): void {
    let byClient = this.pendingAuth.get(record.host);
    let pending = byClient?.get(record.client);
    if (!pending) {
      if (this.pendingAuthCount >= MAX_PENDING_AUTH_KEYS) this.finalizeOldestAuth();
      if (!byClient) {
        byClient = new Map();
        this.pendingAuth.set(detached(record.host), byClient);
      }
      pending = { host: detached(record.host), challenges: [], example: clip(line) };
      byClient.set(detached(record.client), pending);
      this.pendingAuthCount++;
    }
    pending.challenges.push({ startMs, loggedAtMs: record.loggedAtMs });
    if (pending.challenges.length > MAX_PENDING_AUTH_PER_KEY) this.finalizeAuth(record.client, pending, 1);
  }

  private resolveAuthChallenges(record: LogRecord, startMs: number | undefined): void {
    const pending = this.pendingAuth.get(record.host)?.get(record.client);
    if (!pending) return;
    const windowMs = this.options.authRetryWindowSeconds * 1000;
    // Without times, any later success answers the 407. With whole-second clocks a retry may appear to start a
    // moment before its 407: allow one tick.
    const answered = (t: number | undefined) =>
      t === undefined || startMs === undefined || (startMs >= t - record.clockResolutionMs && startMs <= t + windowMs);
    pending.challenges = pending.challenges.filter((c) => !answered(c.startMs));
    if (pending.challenges.length === 0) this.forgetAuth(record.client, pending);
  }

  private finalizeOldestAuth(): void {
    const [, byClient] = this.pendingAuth.entries().next().value!;
    const [client, pending] = byClient.entries().next().value!;
    this.finalizeAuth(client, pending, Infinity);
  }

  private finalizeAllAuth(): void {
    for (const byClient of [...this.pendingAuth.values()]) {
      for (const [client, pending] of [...byClient]) this.finalizeAuth(client, pending, Infinity);
    }
  }

  private forgetAuth(client: string, pending: PendingAuth): void {
    const byClient = this.pendingAuth.get(pending.host)!;
    byClient.delete(client);
    if (byClient.size === 0) this.pendingAuth.delete(pending.host);
    this.pendingAuthCount--;
  }

  /** Turns the oldest `howMany` pending 407s of a client and host into unanswered ones. */
  private finalizeAuth(client: string, pending: PendingAuth, howMany: number): void {
    const unanswered = pending.challenges.splice(0, howMany);
    if (pending.challenges.length === 0) this.forgetAuth(client, pending);
    let occurrence = this.unansweredAuth.get(pending.host);
    if (!occurrence) {
      occurrence = { count: 0, example: pending.example, statuses: new Set([407]) };
      this.unansweredAuth.set(pending.host, occurrence);
    }
    for (const challenge of unanswered) {
      occurrence.count++;
      occurrence.firstMs = minDefined(occurrence.firstMs, challenge.loggedAtMs);
      occurrence.lastMs = maxDefined(occurrence.lastMs, challenge.loggedAtMs);
    }
  }

  // The proxy's idle timeout shows as a ceiling: the longest tunnels all end at the same length.
  private idleTimeoutFindings(): ProxyLogFinding[] {
    const longest = this.longestTunnels.sorted();
    const top = longest[0];
    if (!top || top.ms < MIN_SIGNATURE_MS) return [];
    const cut = longest.filter((t) => top.ms - t.ms <= SIGNATURE_SPREAD_MS);
    if (cut.length < MIN_SIGNATURE_TUNNELS) return [];
    const seconds = Math.round(median(cut.map((t) => t.ms)) / 100) / 10;
    if (top.ms / 1000 >= this.options.requiredIdleSeconds) return [];
    const hosts = mostFrequentFirst(cut.map((t) => t.host));
    const atLeast = cut.length === longest.length && this.longestTunnels.full ? 'at least ' : '';
    const times = cut.map((t) => t.loggedAtMs).filter((t): t is number => t !== undefined);
    return [
      {
        code: 'idle_timeout_signature',
        severity: 'error',
        host: hosts[0]!,
        count: cut.length,
        seconds,
        firstSeen: iso(times.length ? Math.min(...times) : undefined),
        lastSeen: iso(times.length ? Math.max(...times) : undefined),
        example: top.line,
        message:
          `The longest tunnels to Microsoft Entra hosts (${atLeast}${cut.length}, to ${hosts.slice(0, 5).join(', ')}${hosts.length > 5 ? ', ...' : ''}) ` +
          `all end after about ${seconds} s, below the ${this.options.requiredIdleSeconds} s required: ${seconds} s is probably the proxy's idle timeout. ` +
          'If the client closed them itself, this is not the proxy; an idle-tunnel probe tells the two apart.',
        remedy: IDLE_TIMEOUT_REMEDY,
      },
    ];
  }

  private regionalFindings(): ProxyLogFinding[] {
    return [...this.hosts.values()]
      .filter((s) => s.cls.regional)
      .map((s) => ({
        code: 'regional_endpoint' as const,
        severity: 'info' as const,
        host: s.host,
        count: s.requests,
        firstSeen: iso(s.firstSeenMs),
        lastSeen: iso(s.lastSeenMs),
        example: s.firstLine,
        message: `The sync engine uses ${s.host}${s.cls.role === 'anchor' || s.cls.role === 'relay' ? ` (a regional ${s.cls.role} endpoint)` : ''}, which discovery chose and the catalogue does not probe.`,
        remedy: REGIONAL_ENDPOINT_REMEDY,
        snippet: catalogueEntryFor(s),
      }));
  }

  // A step of the reference counts as reached when a host in that role answered with success at least once:
  // a host the proxy only denied is where the sequence stops.
  private sequenceFindings(): ProxyLogFinding[] {
    const inOrder = [...this.hosts.values()].sort(
      (a, b) => (a.firstStartMs ?? Infinity) - (b.firstStartMs ?? Infinity) || a.order - b.order,
    );
    const withRole = inOrder.filter((s) => s.cls.role !== undefined);
    if (withRole.length === 0) return [];
    const reached = withRole.filter((s) => s.succeeded > 0);
    const reachedRoles = new Set<HostRole>(reached.map((s) => s.cls.role!));
    const missing = REFERENCE_STEPS.find((step) => !reachedRoles.has(step));
    const listed = inOrder.slice(0, 20).map((s) => s.host).join(' -> ') + (inOrder.length > 20 ? ' -> ...' : '');
    const reference = `the article's reference sequence for "Connect to Microsoft Entra ID" (${REFERENCE_SEQUENCE.join(', ')})`;
    let message = `Microsoft Entra hosts in the order first seen: ${listed}. `;
    let focus = withRole[withRole.length - 1]!;
    if (!missing) {
      message += `Every step of ${reference} succeeded.`;
    } else {
      const missingIndex = REFERENCE_STEPS.indexOf(missing);
      const lastReached = reached.filter((s) => REFERENCE_STEPS.indexOf(s.cls.role!) < missingIndex).at(-1);
      const failed = withRole.find((s) => s.cls.role === missing);
      message +=
        `Compared with ${reference}, it stops ${lastReached ? `after ${lastReached.cls.role} (${lastReached.host})` : 'before it starts'}: ` +
        (failed
          ? `requests to ${failed.host} never succeeded (${[...failed.statuses.keys()].sort().join(', ')}).`
          : `no request to a ${missing} host.`);
      focus = failed ?? lastReached ?? focus;
    }
    return [
      {
        code: 'sequence',
        severity: missing ? 'warning' : 'info',
        host: focus.host,
        count: inOrder.length,
        firstSeen: iso(inOrder[0]!.firstSeenMs),
        lastSeen: iso(maxOf(inOrder.map((s) => s.lastSeenMs))),
        example: focus.firstLine,
        message,
        remedy: SEQUENCE_REMEDY,
      },
    ];
  }
}

function note(into: Map<string, Occurrence>, host: string, record: LogRecord, line: string): void {
  let occurrence = into.get(host);
  if (!occurrence) {
    occurrence = { count: 0, example: clip(line), statuses: new Set() };
    into.set(detached(host), occurrence);
  }
  occurrence.count++;
  occurrence.statuses.add(record.status);
  occurrence.firstMs = minDefined(occurrence.firstMs, record.loggedAtMs);
  occurrence.lastMs = maxDefined(occurrence.lastMs, record.loggedAtMs);
}

function occurrenceFindings(
  occurrences: Map<string, Occurrence>,
  code: keyof typeof ERROR_REMEDIES,
  message: (host: string, o: Occurrence) => string,
): ProxyLogFinding[] {
  return [...occurrences].map(([host, o]) => ({
    code,
    severity: 'error' as const,
    host,
    count: o.count,
    firstSeen: iso(o.firstMs),
    lastSeen: iso(o.lastMs),
    example: o.example,
    message: message(host, o),
    remedy: ERROR_REMEDIES[code],
  }));
}

/** A catalogue entry in the shape of config/endpoints/*.yaml, so the host joins the probes. */
function catalogueEntryFor(s: HostStats): string {
  const port = s.port && s.port !== 443 ? `:${s.port}` : '';
  const entry = {
    id: s.host.slice(0, s.host.indexOf('.')).replace(/[^a-z0-9_-]/g, '-').slice(0, 63),
    pattern: s.cls.pattern,
    url: `https://${s.host}${port}/`,
    description: 'Regional endpoint chosen by discovery, seen in the proxy log.',
    category: 'directory',
    exports: true,
  };
  return toYaml([entry]).trimEnd();
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

function clip(line: string): string {
  return detached(line.length > MAX_EXAMPLE_CHARS ? `${line.slice(0, MAX_EXAMPLE_CHARS)}...` : line);
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

function maxOf(values: (number | undefined)[]): number | undefined {
  return values.reduce(maxDefined, undefined);
}

function mostFrequentFirst(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}
