// squid's native access.log format:
//   time elapsed client code/status bytes method URL user hierarchy/peer type
//   1700000000.123  20748 127.0.0.1 TCP_TUNNEL/200 3138 CONNECT login.partner.microsoftonline.cn:443 - HIER_DIRECT/127.0.0.2 -
// `elapsed` is ms; for CONNECT it is how long the tunnel stayed open. squid pads it with spaces.
import { hostAndPort, statusCode, type LineParser, type LogRecord } from '../record.js';

const SQUID_TIME = /^\d{9,11}\.\d{3}$/;
const UNSIGNED = /^\d+$/;

export function parseSquidLine(line: string): LogRecord | null | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields.length === 1 && fields[0] === '') return null;
  // The fields after URL (user, hierarchy, type) may be missing from a truncated last line.
  if (fields.length < 7) return undefined;
  const [time, elapsed, client, codeStatus, bytes, method, url] = fields as [string, string, string, string, string, string, string];
  if (!SQUID_TIME.test(time) || !UNSIGNED.test(elapsed) || !UNSIGNED.test(bytes)) return undefined;
  const slash = codeStatus.indexOf('/');
  if (slash === -1) return undefined;
  const { host, port } = hostAndPort(url);
  return {
    loggedAtMs: Math.round(Number(time) * 1000),
    clockResolutionMs: 1,
    durationMs: Number(elapsed),
    client,
    status: statusCode(codeStatus.slice(slash + 1)),
    method,
    host,
    port,
    deniedByProxy: codeStatus.startsWith('TCP_DENIED') || codeStatus.startsWith('NONE_DENIED'),
  };
}

export function squidParser(): LineParser {
  return { format: 'squid', parse: parseSquidLine };
}
