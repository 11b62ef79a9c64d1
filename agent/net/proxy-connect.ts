// The CONNECT handshake with a forward proxy: send the request, read the answer's head (bounded in size),
// hand back the socket positioned at the first tunnel byte.
import type { Socket } from 'node:net';
import { NetError } from './net-error.js';

export const MAX_PROXY_HEAD_BYTES = 16 * 1024;

export interface ProxyAnswer {
  status: number;
  statusText: string;
  headers: Map<string, string[]>; // lower-case names
}

export function connectRequest(host: string, port: number, proxyAuthorization?: string): string {
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, 'User-Agent: entra-connect-monitor', 'Proxy-Connection: keep-alive'];
  if (proxyAuthorization) lines.push(`Proxy-Authorization: ${proxyAuthorization}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Parses "HTTP/1.1 200 Connection established\r\nName: value\r\n..." (the head without its blank line). */
export function parseResponseHead(head: string): ProxyAnswer | undefined {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return { status: Number(m[1]), statusText: m[2] ?? '', headers };
}

/** The auth schemes offered by Proxy-Authenticate headers, e.g. ['Negotiate', 'NTLM', 'Basic']. */
export function parseProxyAuthenticate(values: readonly string[]): string[] {
  const schemes: string[] = [];
  for (const value of values) {
    // A challenge starts at the beginning or after a comma with a token not followed by '=' (that would be a param).
    for (const m of value.matchAll(/(?:^|,)\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?=\s|,|$)(?!\s*=)/g)) {
      const scheme = m[1]!;
      const canonical = KNOWN_SCHEMES.find((s) => s.toLowerCase() === scheme.toLowerCase()) ?? scheme;
      if (!schemes.includes(canonical)) schemes.push(canonical);
    }
  }
  return schemes;
}
const KNOWN_SCHEMES = ['Basic', 'Digest', 'NTLM', 'Negotiate', 'Kerberos', 'Bearer'];

/**
 * Sends CONNECT on an open socket to the proxy and resolves with the proxy's answer once its head is complete.
 * Any bytes after the head are pushed back into the socket for TLS. Rejects with a NetError on a close, an
 * oversized or garbage head. The caller's abort (timeout) destroys the socket, which ends this too.
 */
export function proxyConnect(socket: Socket, host: string, port: number, proxyAuthorization?: string): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (err: NetError) => {
      cleanup();
      reject(err);
    };
    const onError = (err: NodeJS.ErrnoException) => fail(new NetError('proxy_connect', err.code ?? 'ERR_SOCKET', err.message));
    const onClose = () => fail(new NetError('proxy_connect', 'ECLOSED', 'the proxy closed the connection before answering CONNECT'));
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const buffered = Buffer.concat(chunks, size);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) {
        if (size > MAX_PROXY_HEAD_BYTES) fail(new NetError('proxy_connect', 'EHEADTOOLARGE', `the proxy's answer head exceeds ${MAX_PROXY_HEAD_BYTES} bytes`));
        else if (size >= 5 && !buffered.subarray(0, 5).equals(Buffer.from('HTTP/'))) fail(new NetError('proxy_connect', 'EGARBAGE', 'the proxy answered CONNECT with something that is not HTTP'));
        return;
      }
      const answer = parseResponseHead(buffered.subarray(0, end).toString('latin1'));
      if (!answer) return fail(new NetError('proxy_connect', 'EGARBAGE', 'the proxy answered CONNECT with something that is not HTTP'));
      cleanup();
      socket.pause();
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(answer);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(connectRequest(host, port, proxyAuthorization));
  });
}
