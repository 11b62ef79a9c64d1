// One proxy log line, reduced to what the analysis needs, whatever format it came from.

export const LOG_FORMATS = ['squid', 'w3c', 'clf'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogRecord {
  /** When the proxy wrote the line (Unix ms); squid and most W3C writers log a request when it ends. */
  loggedAtMs?: number;
  /** Resolution of loggedAtMs: 1 for squid's milliseconds, 1000 for formats that log whole seconds. */
  clockResolutionMs: number;
  /** How long the request (or the CONNECT tunnel) lasted, in ms, when the format says so. */
  durationMs?: number;
  client: string;
  /** HTTP status the proxy logged; 0 when the line carries none. */
  status: number;
  method: string;
  /** Lower-case host name the request was for, without port; '' when the line names none (origin-form URL). */
  host: string;
  port?: number;
  /** The proxy logged its own deny action (squid TCP_DENIED, TMG "Denied", ProxySG DENIED). */
  deniedByProxy: boolean;
}

/**
 * Turns one line into a record. Returns undefined for a line that does not fit the format and
 * null for a line that is not a request but belongs to the format (a W3C `#` directive, a blank line).
 */
export interface LineParser {
  readonly format: LogFormat;
  parse(line: string): LogRecord | null | undefined;
}

/** The start of a request: tunnels are logged when they end, so the start is the log time minus the duration. */
export function startedAtMs(record: LogRecord): number | undefined {
  if (record.loggedAtMs === undefined) return undefined;
  return record.loggedAtMs - (record.durationMs ?? 0);
}

/**
 * Host and port of a request target as proxies log it: `host:443` (CONNECT), `connect://host:443` (TMG),
 * `http://user@host:port/path` (absolute form). An origin-form target (`/path`) names no host.
 * One regular expression: this runs on every line of a big log.
 */
const TARGET = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::(\d+))?/;
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

export function hostAndPort(target: string): { host: string; port?: number } {
  if (target.startsWith('/')) return { host: '' };
  // Fast path for the commonest target, CONNECT's plain host:port.
  const colon = target.indexOf(':');
  if (colon > 0 && target.indexOf('/') === -1 && target.indexOf('@') === -1 && target.indexOf('[') === -1) {
    const port = Number(target.slice(colon + 1));
    if (Number.isInteger(port) && colon === target.lastIndexOf(':')) return { host: normalHost(target.slice(0, colon)), port };
  }
  const m = TARGET.exec(target)!;
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1).toLowerCase() : normalHost(m[2]!);
  const port = m[3] !== undefined ? Number(m[3]) : m[1] !== undefined ? DEFAULT_PORTS[m[1].toLowerCase()] : undefined;
  return { host, port };
}

/**
 * A copy of `text` that shares no memory with the line it came from. Strings cut from a line are views into
 * the whole chunk read from the file (64 KiB), so anything kept past the current batch (map keys, examples)
 * must be detached, or every kept example pins its chunk and memory grows with the log.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Lower case, without the root's trailing dot. */
function normalHost(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Parses a status field; `-` or text gives 0. */
export function statusCode(text: string | undefined): number {
  if (!text) return 0;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
