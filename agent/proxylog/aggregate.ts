// What the analysis keeps per host and per finding while it reads a log, and the small helpers it folds lines with.
import type { HostClass } from './hosts.js';
import { detached, type LogRecord } from './record.js';
import type { MedianReservoir } from './stats.js';

/** Example lines are cut to this length: a hostile log's line can be any size. */
const MAX_EXAMPLE_CHARS = 500;

export type EntraClass = Extract<HostClass, { kind: 'entra' }>;

export interface HostStats {
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
export interface Occurrence {
  count: number;
  firstMs?: number;
  lastMs?: number;
  example: string;
  statuses: Set<number>;
}

export interface Tunnel {
  ms: number;
  host: string;
  loggedAtMs?: number;
  line: string;
}

export function note(into: Map<string, Occurrence>, host: string, record: LogRecord, line: string): void {
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

export function clip(line: string): string {
  return detached(line.length > MAX_EXAMPLE_CHARS ? `${line.slice(0, MAX_EXAMPLE_CHARS)}...` : line);
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

export function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

export function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

export function maxOf(values: (number | undefined)[]): number | undefined {
  return values.reduce(maxDefined, undefined);
}

export function mostFrequentFirst(values: string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}
