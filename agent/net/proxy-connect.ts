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

/** An answer to CONNECT, with when the CONNECT went out. */
export interface ConnectAnswer extends ProxyAnswer {
  sentAt: bigint;
}

/** A 407's body is read and dropped before the next leg goes on the same connection; a larger one ends it. */
export const MAX_PROXY_BODY_BYTES = 64 * 1024;

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

export { parseProxyAuthenticate } from './auth/scheme.js';

/**
 * Sends CONNECT on an open socket to the proxy and resolves with the proxy's answer once its head is complete.
 * Any bytes after the head are pushed back into the socket for TLS. Rejects with a NetError on a close, an
 * oversized or garbage head. The caller's abort (timeout) destroys the socket, which ends this too.
 */
export function proxyConnect(socket: Socket, host: string, port: number, proxyAuthorization?: string): Promise<ConnectAnswer> {
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
      resolve({ ...answer, sentAt });
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    // A connection on its second leg was paused after the first answer; a 'data' listener alone does not resume it.
    socket.resume();
    const sentAt = process.hrtime.bigint();
    socket.write(connectRequest(host, port, proxyAuthorization));
  });
}

/**
 * After a 407 to CONNECT: whether the next leg can go on this connection. Its body (Content-Length) is read and
 * dropped; a close asked for, a body without a length or one over MAX_PROXY_BODY_BYTES means a new connection.
 */
export function drainForNextLeg(socket: Socket, answer: ProxyAnswer): Promise<boolean> {
  const closing = [...(answer.headers.get('connection') ?? []), ...(answer.headers.get('proxy-connection') ?? [])].some((v) => /close/i.test(v));
  const lengthHeader = answer.headers.get('content-length')?.[0];
  const length = lengthHeader === undefined ? (answer.headers.has('transfer-encoding') ? Number.NaN : 0) : Number(lengthHeader);
  if (closing || !Number.isInteger(length) || length > MAX_PROXY_BODY_BYTES) return Promise.resolve(false);
  if (length === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    let left = length;
    const done = (kept: boolean, rest?: Buffer) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      socket.pause();
      if (rest && rest.length > 0) socket.unshift(rest);
      resolve(kept);
    };
    const onData = (chunk: Buffer) => {
      left -= chunk.length;
      if (left <= 0) done(true, chunk.subarray(chunk.length + left));
    };
    const onClose = () => done(false);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onClose);
    socket.resume();
  });
}
