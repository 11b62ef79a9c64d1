// Reads one HTTP/1.1 response from a connection the exchange owns: the head (bounded in size, interim 1xx answers
// skipped), then the body as its framing says (Content-Length, chunked, or up to the close), counted, and kept up to
// a cap when asked. One request at a time on a socket of our own needs nothing more; a general client (undici) cost
// the idle agent some 8 MiB of resident memory for its code and WebAssembly parser, and a probe a third of its CPU.
import type { Duplex } from 'node:stream';
import { NetError } from './net-error.js';
import { parseResponseHead, type ProxyAnswer } from './proxy-connect.js';

export interface HttpResponse extends ProxyAnswer {
  /** The body bytes kept (keepBody), at most maxBodyBytes. */
  body: Buffer;
  /** Body bytes received. */
  received: number;
  /** Reading stopped at maxBodyBytes; the rest was not waited for. */
  truncated: boolean;
  /** The body ended as framed and neither side asked to close: the connection can carry the next request. */
  reusable: boolean;
}

export interface ReadOptions {
  maxHeadBytes: number;
  maxBodyBytes: number;
  keepBody: boolean;
  /** The request's method: the answer to a HEAD has no body. */
  method: string;
  /** The request asked for the connection to close after the answer. */
  closeAsked: boolean;
  signal: AbortSignal;
}

const HTTP = Buffer.from('HTTP/');
const CRLF = Buffer.from('\r\n');

type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; left: number; step: 'size' | 'data' | 'data-end' | 'trailer' } | { kind: 'close' } | { kind: 'none' };

function framingOf(answer: ProxyAnswer, method: string): Framing | undefined {
  if (method === 'HEAD' || answer.status === 204 || answer.status === 304) return { kind: 'none' };
  const codings = (answer.headers.get('transfer-encoding') ?? []).join(',').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  if (codings.length > 0) return codings.at(-1) === 'chunked' ? { kind: 'chunked', left: 0, step: 'size' } : { kind: 'close' };
  const lengths = new Set((answer.headers.get('content-length') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()));
  if (lengths.size === 0) return { kind: 'close' };
  const [length] = [...lengths];
  if (lengths.size > 1 || !/^\d{1,15}$/.test(length!)) return undefined;
  return Number(length) === 0 ? { kind: 'none' } : { kind: 'length', left: Number(length) };
}

const asksClose = (answer: ProxyAnswer) => [...(answer.headers.get('connection') ?? []), ...(answer.headers.get('proxy-connection') ?? [])].some((v) => /\bclose\b/i.test(v));

/**
 * Reads the next response on `socket`. Rejects with a NetError for an answer that is not HTTP (EGARBAGE), a head over
 * maxHeadBytes (EHEADTOOLARGE) or a close before the answer is complete (ECLOSED; phase request before the first
 * byte, transfer after), with the socket's own error when it fails, and with the signal's reason when it aborts.
 * Bytes after the answer are put back into the socket for the next one.
 */
export function readResponse(socket: Duplex, opts: ReadOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let answer: ProxyAnswer | undefined;
    let framing: Framing | undefined;
    let anyByte = false;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let received = 0;
    let settled = false;

    const cleanup = () => {
      settled = true;
      socket.off('data', onData);
      socket.off('end', onClose);
      socket.off('close', onClose);
      socket.off('error', onError);
      opts.signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const finish = (truncated: boolean, rest: Buffer) => {
      if (settled) return;
      cleanup();
      socket.pause();
      if (rest.length > 0 && !truncated) socket.unshift(rest);
      const complete = !truncated && framing!.kind !== 'close';
      resolve({ ...answer!, body: Buffer.concat(kept, keptBytes), received, truncated, reusable: complete && !opts.closeAsked && !asksClose(answer!) });
    };
    /** Counts body bytes; true when the cap is reached. */
    const take = (bytes: Buffer): boolean => {
      received += bytes.length;
      if (opts.keepBody && keptBytes < opts.maxBodyBytes) {
        const part = bytes.subarray(0, opts.maxBodyBytes - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      return received >= opts.maxBodyBytes;
    };
    const garbage = (what: string) => fail(new NetError(anyByte && answer ? 'transfer' : 'request', 'EGARBAGE', what));

    const onData = (chunk: Buffer) => {
      anyByte = true;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (!settled) {
        if (!answer) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) {
            if (pending.length >= HTTP.length && !pending.subarray(0, HTTP.length).equals(HTTP)) return garbage('the answer is not HTTP');
            if (pending.length > opts.maxHeadBytes) return fail(new NetError('request', 'EHEADTOOLARGE', `the answer's head exceeds ${opts.maxHeadBytes} bytes`));
            return;
          }
          const head = parseResponseHead(pending.subarray(0, end).toString('latin1'));
          if (!head) return garbage('the answer is not HTTP');
          pending = pending.subarray(end + 4);
          // An interim answer (100 Continue, 103 Early Hints): the real one follows on the same connection.
          if (head.status >= 100 && head.status < 200 && head.status !== 101) continue;
          answer = head;
          framing = framingOf(head, opts.method);
          if (!framing) return garbage('the answer has conflicting or invalid Content-Length headers');
          if (framing.kind === 'none') return finish(false, pending);
          continue;
        }
        const f = framing!;
        if (f.kind === 'close') {
          if (pending.length === 0) return;
          const bytes = pending;
          pending = Buffer.alloc(0);
          if (take(bytes)) return finish(true, pending);
          return;
        }
        if (f.kind === 'length') {
          if (pending.length === 0) return;
          const bytes = pending.subarray(0, f.left);
          pending = pending.subarray(bytes.length);
          f.left -= bytes.length;
          if (take(bytes)) return finish(true, pending);
          if (f.left === 0) return finish(false, pending);
          return;
        }
        if (f.kind === 'none') return finish(false, pending);
        // chunked
        if (f.step === 'size' || f.step === 'trailer') {
          const eol = pending.indexOf(CRLF);
          if (eol === -1) {
            if (pending.length > opts.maxHeadBytes) return garbage('a chunk size or trailer line is too long');
            return;
          }
          const line = pending.subarray(0, eol).toString('latin1');
          pending = pending.subarray(eol + 2);
          if (f.step === 'trailer') {
            if (line === '') return finish(false, pending);
            continue;
          }
          const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
          if (!size) return garbage('the answer has an invalid chunk size');
          f.left = parseInt(size[1]!, 16);
          f.step = f.left === 0 ? 'trailer' : 'data';
          continue;
        }
        if (f.step === 'data') {
          if (pending.length === 0) return;
          const bytes = pending.subarray(0, f.left);
          pending = pending.subarray(bytes.length);
          f.left -= bytes.length;
          if (take(bytes)) return finish(true, pending);
          if (f.left === 0) f.step = 'data-end';
          continue;
        }
        // data-end: the CRLF after a chunk's bytes
        if (pending.length < 2) return;
        if (pending[0] !== 0x0d || pending[1] !== 0x0a) return garbage('a chunk is not followed by CRLF');
        pending = pending.subarray(2);
        f.step = 'size';
      }
    };
    const onClose = () => {
      if (settled) return;
      if (answer && framing?.kind === 'close') return finish(false, Buffer.alloc(0));
      fail(new NetError(answer ? 'transfer' : 'request', 'ECLOSED', answer ? 'the connection closed before the answer\'s body was complete' : 'the connection closed before an answer'));
    };
    const onError = (err: Error) => fail(err);
    const onAbort = () => {
      fail(opts.signal.reason);
      socket.destroy();
    };

    if (opts.signal.aborted) return onAbort();
    socket.on('data', onData);
    socket.on('end', onClose);
    socket.on('close', onClose);
    socket.on('error', onError);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    socket.resume();
  });
}
