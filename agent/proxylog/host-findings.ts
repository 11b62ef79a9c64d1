// The findings drawn from what the analysis gathered, once the whole log is read: the per-host error findings
// (403s, unanswered 407s, proxy errors), the idle-timeout signature of the longest tunnels, the regional hosts
// discovery chose, and the order of Entra hosts against the article's reference sequence.
import { stringify as toYaml } from 'yaml';
import { iso, maxOf, mostFrequentFirst, type HostStats, type Occurrence, type Tunnel } from './aggregate.js';
import {
  ERROR_REMEDIES,
  IDLE_TIMEOUT_REMEDY,
  REFERENCE_SEQUENCE,
  REFERENCE_STEPS,
  REGIONAL_ENDPOINT_REMEDY,
  SEQUENCE_REMEDY,
  type ProxyLogFinding,
} from './findings.js';
import type { HostRole } from './hosts.js';
import { median, type TopK } from './stats.js';

/** A signature needs several tunnels cut at the same length: one short tunnel is just a short tunnel. */
const MIN_SIGNATURE_TUNNELS = 3;
const SIGNATURE_SPREAD_MS = 1_000;
/** Shorter tunnels are ordinary short requests, not idle cuts. */
const MIN_SIGNATURE_MS = 1_000;

export function occurrenceFindings(
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

// The proxy's idle timeout shows as a ceiling: the longest tunnels all end at the same length.
export function idleTimeoutFindings(longestTunnels: TopK<Tunnel>, requiredIdleSeconds: number): ProxyLogFinding[] {
  const longest = longestTunnels.sorted();
  const top = longest[0];
  if (!top || top.ms < MIN_SIGNATURE_MS) return [];
  const cut = longest.filter((t) => top.ms - t.ms <= SIGNATURE_SPREAD_MS);
  if (cut.length < MIN_SIGNATURE_TUNNELS) return [];
  const seconds = Math.round(median(cut.map((t) => t.ms)) / 100) / 10;
  if (top.ms / 1000 >= requiredIdleSeconds) return [];
  const hosts = mostFrequentFirst(cut.map((t) => t.host));
  const atLeast = cut.length === longest.length && longestTunnels.full ? 'at least ' : '';
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
        `all end after about ${seconds} s, below the ${requiredIdleSeconds} s required: ${seconds} s is probably the proxy's idle timeout. ` +
        'If the client closed them itself, this is not the proxy; an idle-tunnel probe tells the two apart.',
      remedy: IDLE_TIMEOUT_REMEDY,
    },
  ];
}

export function regionalFindings(hosts: Iterable<HostStats>): ProxyLogFinding[] {
  return [...hosts]
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
export function sequenceFindings(hosts: Iterable<HostStats>): ProxyLogFinding[] {
  const inOrder = [...hosts].sort(
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
