// WinHTTP's machine-wide proxy: the one CryptoAPI uses to fetch CRLs and OCSP answers, which is not machine.config's.
//
// `netsh winhttp set proxy` (and WinHttpSetDefaultProxyConfiguration) store it as the REG_BINARY value WinHttpSettings
// under HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections. Microsoft does not document the
// layout; it is the WINHTTP_PROXY_INFO structure flattened, every integer a little-endian DWORD:
//
//   offset  size  field
//   0       4     version (0x18 as current Windows and Wine write it; older writers used other values)
//   4       4     change counter (0 as netsh writes it)
//   8       4     flags: 0x1 always set, 0x2 a named proxy (so 1 = direct, 3 = proxy)
//   12      4     length N of the proxy server list, in bytes
//   16      N     proxy server list, ASCII, not terminated: "host:port", or per scheme "http=h1:80;https=h2:8080"
//   16+N    4     length M of the bypass list, in bytes
//   20+N    M     bypass list, ASCII: entries separated by ";" (or spaces), "<local>" for names without a dot
//   (a writer may leave further bytes after it; they are ignored)
//
// Microsoft's own "direct" value is 1800000000000000010000000000000000000000 (version 0x18, counter 0, flags 1, two
// empty strings). Wine's winhttp reads it the same way (session.c, WinHttpGetDefaultProxyConfiguration).
import { isIP } from 'node:net';

export const WINHTTP_SETTINGS_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections';
export const WINHTTP_SETTINGS_VALUE = 'WinHttpSettings';

const FLAG_PROXY = 0x2;

export interface WinHttpProxyEntry {
  /** "http", "https" or undefined for an entry that applies to every scheme. */
  scheme?: string;
  host: string;
  port: number;
}

export interface WinHttpSettings {
  version: number;
  counter: number;
  flags: number;
  /** True when flags carry no named proxy (WINHTTP_ACCESS_TYPE_NO_PROXY). */
  direct: boolean;
  /** The proxy server list as stored. */
  proxyServer: string;
  /** The bypass list as stored. */
  bypassList: string;
  proxies: WinHttpProxyEntry[];
  bypass: string[];
}

export class WinHttpSettingsError extends Error {
  override name = 'WinHttpSettingsError';
}

/** Parses WinHttpSettings bytes; throws WinHttpSettingsError naming what is wrong with a malformed value. */
export function parseWinHttpSettings(bytes: Buffer): WinHttpSettings {
  if (bytes.length < 12) throw new WinHttpSettingsError(`is ${bytes.length} bytes long, shorter than its 12-byte header`);
  const version = bytes.readUInt32LE(0);
  const counter = bytes.readUInt32LE(4);
  const flags = bytes.readUInt32LE(8);
  let offset = 12;
  const readString = (what: string): string => {
    if (offset + 4 > bytes.length) return '';
    const length = bytes.readUInt32LE(offset);
    offset += 4;
    if (offset + length > bytes.length) throw new WinHttpSettingsError(`its ${what} length (${length}) runs past the end of the value (${bytes.length} bytes)`);
    const text = bytes.subarray(offset, offset + length).toString('latin1').replace(/\0+$/, '');
    offset += length;
    return text;
  };
  const proxyServer = readString('proxy server');
  const bypassList = readString('bypass list');
  const named = (flags & FLAG_PROXY) !== 0 && proxyServer.trim() !== '';
  return {
    version,
    counter,
    flags,
    direct: !named,
    proxyServer,
    bypassList,
    proxies: named ? parseProxyList(proxyServer) : [],
    bypass: named ? splitList(bypassList) : [],
  };
}

/** Builds the bytes `netsh winhttp set proxy` writes: for tests, and for `reg add` in the Wine test. */
export function encodeWinHttpSettings(proxyServer?: string, bypassList = ''): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x18, 0);
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(proxyServer ? 3 : 1, 8);
  const str = (s: string) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(Buffer.byteLength(s, 'latin1'), 0);
    return Buffer.concat([len, Buffer.from(s, 'latin1')]);
  };
  return Buffer.concat([header, str(proxyServer ?? ''), str(proxyServer ? bypassList : '')]);
}

function splitList(list: string): string[] {
  return list.split(/[;\s]+/).map((s) => s.trim()).filter(Boolean);
}

/** "([<scheme>=][<scheme>://]<server>[:<port>])" entries, as WINHTTP_PROXY_INFO documents the list. */
export function parseProxyList(list: string): WinHttpProxyEntry[] {
  const entries: WinHttpProxyEntry[] = [];
  for (const item of splitList(list)) {
    const m = /^(?:([a-z]+)=)?(?:([a-z]+):\/\/)?(\[[0-9a-f:.]+\]|[^:/]+)(?::(\d{1,5}))?\/?$/i.exec(item);
    if (!m) continue;
    const scheme = m[1]?.toLowerCase();
    const host = m[3]!.replace(/^\[|\]$/g, '');
    const port = m[4] ? Number(m[4]) : 80; // WinHTTP's default proxy port
    if (port < 1 || port > 65535) continue;
    entries.push({ ...(scheme ? { scheme } : {}), host, port });
  }
  return entries;
}

/** The proxy WinHTTP uses for a URL's scheme: the entry for that scheme, else the first one for every scheme. */
export function winHttpProxyFor(settings: WinHttpSettings, scheme: string): WinHttpProxyEntry | undefined {
  if (settings.direct) return undefined;
  const s = scheme.replace(/:$/, '').toLowerCase();
  return settings.proxies.find((p) => p.scheme === s) ?? settings.proxies.find((p) => p.scheme === undefined);
}

/**
 * Whether WinHTTP sends a request for `url` straight to the server: no proxy for its scheme, or a bypass entry
 * matches. `<local>` matches names without a dot; other entries are host names or addresses with `*` wildcards,
 * optionally with a scheme prefix or a port.
 */
export function winHttpGoesDirect(settings: WinHttpSettings, url: URL): boolean {
  if (!winHttpProxyFor(settings, url.protocol)) return true;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return settings.bypass.some((raw) => bypassMatches(raw, url.protocol.replace(/:$/, ''), host, port));
}

function bypassMatches(raw: string, scheme: string, host: string, port: string): boolean {
  let entry = raw.toLowerCase();
  if (entry === '<local>') return !host.includes('.') && isIP(host) === 0;
  const schemed = /^([a-z]+):\/\/(.*)$/.exec(entry);
  if (schemed) {
    if (schemed[1] !== scheme) return false;
    entry = schemed[2]!;
  }
  entry = entry.replace(/\/$/, '');
  const withPort = /^(.*):(\d+|\*)$/.exec(entry);
  if (withPort && !entry.includes('::')) {
    if (withPort[2] !== '*' && withPort[2] !== port) return false;
    entry = withPort[1]!;
  }
  const pattern = new RegExp(`^${entry.split('*').map(escapeRegExp).join('.*')}$`);
  return pattern.test(host);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** "http://host:port" of the proxy WinHTTP uses for http:// (revocation fetches are http), or undefined when direct. */
export function winHttpProxyUrl(settings: WinHttpSettings): string | undefined {
  const p = winHttpProxyFor(settings, 'http') ?? winHttpProxyFor(settings, 'https');
  if (!p) return undefined;
  return `http://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`;
}
