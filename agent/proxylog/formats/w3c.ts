// W3C extended log format, driven by its `#Fields:` directive (Microsoft TMG/ISA, Symantec/Broadcom ProxySG,
// IIS-style writers). Fields come in any order; a later `#Fields:` replaces the earlier one.
// TMG separates values with tabs and logs tunnels as `connect://host:443` (or `host:443`) in cs-uri with the
// method in s-operation; ProxySG separates with spaces, quotes values with spaces, and names the host in cs-host.
import { hostAndPort, statusCode, type LineParser, type LogRecord } from '../record.js';

/** TMG/ISA write their own error numbers in sc-status for the two proxy refusals the article describes. */
const TMG_STATUS: Record<number, number> = {
  12202: 403, // the Forefront TMG denied the specified URL
  12209: 407, // the Forefront TMG requires authorization to fulfill the request
};

interface FieldIndex {
  date: number;
  time: number;
  timeTaken: number;
  client: number;
  status: number;
  method: number;
  uri: number;
  host: number;
  port: number;
  /** Fields that carry the proxy's verdict: s-action (ProxySG TCP_DENIED), action (TMG Denied), sc-filter-result. */
  verdicts: number[];
}

function indexFields(names: string[]): FieldIndex {
  const lower = names.map((n) => n.toLowerCase());
  const first = (...candidates: string[]) => {
    for (const c of candidates) {
      const i = lower.indexOf(c);
      if (i !== -1) return i;
    }
    return -1;
  };
  return {
    date: first('date'),
    time: first('time'),
    timeTaken: first('time-taken'),
    client: first('c-ip', 'cs-ip', 'c-dns'),
    status: first('sc-status', 'cs-status'),
    method: first('cs-method', 's-operation'),
    uri: first('cs-uri', 'cs-url'),
    host: first('cs-host', 'r-host', 'cs-uri-host'),
    port: first('cs-uri-port', 'r-port'),
    verdicts: ['s-action', 'action', 'sc-filter-result', 'x-exception-id']
      .map((name) => lower.indexOf(name))
      .filter((i) => i !== -1),
  };
}

/** Splits a data line: on tabs when it has any (TMG), otherwise on spaces with "quoted values" kept whole. */
function splitValues(line: string): string[] {
  if (line.includes('\t')) return line.split('\t');
  const values: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line.charCodeAt(i) === 32) i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      const end = close === -1 ? line.length : close;
      values.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = line.indexOf(' ', i);
      if (end === -1) end = line.length;
      values.push(line.slice(i, end));
      i = end;
    }
  }
  return values;
}

const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})(\.\d+)?$/;

/** W3C dates and times are UTC by the format's definition. */
function parseW3cTime(date: string | undefined, time: string | undefined): number | undefined {
  const d = date ? DATE.exec(date) : null;
  const t = time ? TIME.exec(time) : null;
  if (!d || !t) return undefined;
  const fraction = t[4] ? Math.round(Number(t[4]) * 1000) : 0;
  return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3])) + fraction;
}

function present(value: string | undefined): string {
  return value === undefined || value === '-' ? '' : value;
}

export function w3cParser(): LineParser {
  let fields: FieldIndex | undefined;
  return {
    format: 'w3c',
    parse(line: string): LogRecord | null | undefined {
      if (line.startsWith('#')) {
        const directive = /^#Fields:\s*(.*)$/i.exec(line.trimEnd());
        if (directive) fields = indexFields(directive[1]!.trim().split(/\s+/));
        return null;
      }
      if (line.trim() === '') return null;
      if (!fields) return undefined;
      const values = splitValues(line.trimEnd());
      const at = (i: number) => (i === -1 ? '' : present(values[i]));
      const rawStatus = at(fields.status);
      if (fields.status !== -1 && rawStatus !== '' && !/^\d+$/.test(rawStatus)) return undefined;
      const uri = at(fields.uri);
      const fromUri = uri ? hostAndPort(uri) : { host: '' };
      const namedHost = at(fields.host);
      // cs-host may be a bare name or name:port; hostAndPort wants a scheme to read it as an authority.
      const host = namedHost ? hostAndPort(namedHost.includes('://') ? namedHost : `host://${namedHost}`).host : fromUri.host;
      const portText = at(fields.port);
      const port = portText && /^\d+$/.test(portText) ? Number(portText) : fromUri.port;
      if (!host && !uri) return undefined;
      let method = at(fields.method);
      if (!method && uri.toLowerCase().startsWith('connect://')) method = 'CONNECT';
      let status = statusCode(rawStatus);
      status = TMG_STATUS[status] ?? status;
      const taken = at(fields.timeTaken);
      const denied = fields.verdicts.some((i) => /denied/i.test(at(i)));
      return {
        loggedAtMs: parseW3cTime(at(fields.date), at(fields.time)),
        clockResolutionMs: /\./.test(at(fields.time)) ? 1 : 1000,
        durationMs: /^\d+$/.test(taken) ? Number(taken) : undefined,
        client: at(fields.client),
        status,
        method: method.toUpperCase(),
        host,
        port,
        deniedByProxy: denied,
      };
    },
  };
}
