// The common and combined log formats (Apache's, and squid's `logformat common`/`combined`):
//   client ident user [10/Oct/2000:13:55:36 -0700] "CONNECT host:443 HTTP/1.1" 200 3138 ["referer" "agent"] [TCP_TUNNEL:HIER_DIRECT]
// No duration: these lines say nothing about how long a tunnel lasted.
import { hostAndPort, statusCode, type LineParser, type LogRecord } from '../record.js';

const CLF_LINE = /^(\S+) \S+ (?:\S+|"[^"]*") \[([^\]]+)\] "([^"]*)" (\d{3}|-) (?:\d+|-)(.*)$/;
const CLF_TIME = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function parseClfTime(text: string): number | undefined {
  const m = CLF_TIME.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  if (month === -1) return undefined;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offsetMinutes = m[7] ? (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) : 0;
  return utc - offsetMinutes * 60_000;
}

export function parseClfLine(line: string): LogRecord | null | undefined {
  if (line.trim() === '') return null;
  const m = CLF_LINE.exec(line);
  if (!m) return undefined;
  const [, client, time, request, status, tail] = m as unknown as [string, string, string, string, string, string];
  const [method = '', target = ''] = request.split(' ');
  const { host, port } = hostAndPort(target);
  return {
    loggedAtMs: parseClfTime(time),
    clockResolutionMs: 1000,
    client,
    status: statusCode(status),
    method,
    host,
    port,
    // squid's common/combined formats end with "%Ss:%Sh", e.g. TCP_DENIED:HIER_NONE.
    deniedByProxy: /\bTCP_DENIED\b/.test(tail),
  };
}

export function clfParser(): LineParser {
  return { format: 'clf', parse: parseClfLine };
}
