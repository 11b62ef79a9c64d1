// One HTTP/1.1 request (a GET; a POST for OCSP) over a connection the timed connector opens: through the proxy with
// CONNECT + TLS for HTTPS, as an absolute-form request to the proxy for plain HTTP, or straight. Every phase lands on the caller's clock, the
// caller's signal bounds it all, and the body is read up to a cap. The probes (http, sign-in) build on it and decide
// what the answer means; failures are thrown as NetErrors (or the socket's own errors) for the probe to classify.
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { X509Certificate } from 'node:crypto';
import type { Client as UndiciClient } from 'undici';
import { markRequestBytes } from './byte-marks.js';
import { closeConnection, openConnection, reopenTransport, type Connection } from './connector.js';
import { withProxyAuth } from './auth/legs.js';
import type { AuthOutcome } from './auth/scheme.js';
import { MAX_PROXY_BODY_BYTES } from './proxy-connect.js';
import type { PhaseClock } from './phase-clock.js';
import type { NetSettings, ProxyHop, TlsFacts } from './types.js';

// Only undici's HTTP/1.1 client, not its index (fetch, WebSocket, caches, mocks): 8 MB less resident memory and 3 MB
// less heap for an idle agent, measured in bench/. undici has no exports map, so the path is stable within a major.
const requireCjs = createRequire(import.meta.url);
const Client = requireCjs('undici/lib/dispatcher/client.js') as typeof UndiciClient;
type Client = UndiciClient;
// What undici's index does: request() and the other API methods live on the Dispatcher prototype.
Object.assign((requireCjs('undici/lib/dispatcher/dispatcher.js') as { prototype: object }).prototype, requireCjs('undici/lib/api/index.js'));

const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;
const USER_AGENT = 'entra-connect-monitor';

// The request phase is what DESIGN.md says: from the request going out to the first response byte. Both ends are
// taken where the bytes move: undici's `undici:client:sendHeaders` channel (just before the head is written) arms
// marks on the socket that stamp when that write has handed the head to the kernel and when the socket pushes the
// first response bytes (or, failing that, `undici:request:headers`); not around `await client.request()`, whose
// set-up and promise turns are the agent's own time, not the endpoint's.
// Requests are told apart by the socket each exchange hands undici.
interface RequestMarks {
  sent(at: bigint): void;
  firstByte(at: bigint): void;
}
const marksBySocket = new WeakMap<object, RequestMarks>();
const marksByRequest = new WeakMap<object, RequestMarks>();
subscribe('undici:client:sendHeaders', (message) => {
  const at = process.hrtime.bigint();
  const { request, socket } = message as { request: object; socket: object };
  const marks = marksBySocket.get(socket);
  if (!marks) return;
  marksByRequest.set(request, marks);
  marks.sent(at);
});
subscribe('undici:request:headers', (message) => {
  const at = process.hrtime.bigint();
  marksByRequest.get((message as { request: object }).request)?.firstByte(at);
});

export interface ExchangeRequest {
  url: URL;
  /** Through this proxy; undefined goes straight to the server. */
  hop?: ProxyHop;
  settings: NetSettings;
  clock: PhaseClock;
  signal: AbortSignal;
  /** Body bytes read before the exchange stops reading (the rest is not waited for). */
  maxBodyBytes: number;
  /** Keep the bytes read (sign-in discovery reads JSON); otherwise they are only counted. */
  keepBody?: boolean;
  accept?: string;
  /** GET unless told: an OCSP request is a POST of its DER body. */
  method?: 'GET' | 'POST';
  body?: { contentType: string; bytes: Buffer };
  /** What is known so far, for a caller whose exchange fails half-way: the proxy's CONNECT answer, TLS facts. */
  progress: ExchangeProgress;
}

export interface ExchangeProgress {
  proxyStatus?: number;
  tls?: TlsFacts;
  /** How the proxy was authenticated to (scheme, legs), when it asked. */
  auth?: AuthOutcome;
  /** The certificates the server sent, leaf first (read on demand: their revocation URLs). */
  peerCertificates?: () => X509Certificate[];
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export interface ExchangeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  truncated: boolean;
  /** The request went to the proxy in absolute form, so the answer may be the proxy's own. */
  absoluteForm: boolean;
}

export async function exchange(req: ExchangeRequest): Promise<ExchangeResponse> {
  const { url, hop, settings, clock, signal, progress } = req;
  const https = url.protocol === 'https:';
  const absoluteForm = hop !== undefined && !https;
  let connection: Connection | undefined;
  let client: Client | undefined;
  let requestSent = false;
  try {
    connection = await openConnection({
      host: url.hostname,
      port: url.port ? Number(url.port) : https ? 443 : 80,
      tls: https,
      proxy: hop,
      ca: settings.ca,
      resolve: settings.resolve,
      dnsServers: settings.dnsServers,
      tlsVersions: settings.tlsVersions,
      signal,
      clock,
      facts: progress,
    });
    if (connection.proxyAnswer) progress.proxyStatus = connection.proxyAnswer.status;
    if (connection.tls) progress.tls = connection.tls;
    if (connection.peerCertificates) progress.peerCertificates = connection.peerCertificates;

    const opened = connection;
    // Through a proxy that authenticates, the absolute-form GET answers its 407s on the same connection (kept
    // alive); a proxy that closes after a 407 gets the next leg on a new connection to it.
    const handshake = absoluteForm ? hop!.authenticator?.start(hop!.host) : undefined;
    if (handshake) progress.auth = handshake.outcome;
    let firstByteAt: bigint | undefined;
    let lastSentAt: bigint | undefined;
    const track = (socket: Connection['socket']) =>
      marksBySocket.set(socket, {
        // Stamped where the bytes move (byte-marks.ts): when the head's write has handed it to the kernel, and when
        // the socket pushes the first response bytes (the headers event is the fallback).
        sent: () =>
          markRequestBytes(
            socket,
            (at) => {
              lastSentAt = at;
              if (!requestSent) {
                requestSent = true;
                clock.enter('request', at);
              }
            },
            (at) => (firstByteAt ??= at),
          ),
        firstByte: (at) => (firstByteAt ??= at),
      });
    track(opened.socket);
    let connects = 0;
    client = new Client(absoluteForm ? `http://${hop!.host.includes(':') ? `[${hop!.host}]` : hop!.host}:${hop!.port}` : url.origin, {
      // undici must get the socket asynchronously: a synchronous callback leaves its client stuck connecting.
      connect: (_opts, callback) => {
        if (connects++ === 0 || !handshake) return process.nextTick(callback, null, opened.socket);
        reopenTransport(opened, opened.remoteAddress!, hop!.port, signal).then(
          (fresh) => (track(fresh), callback(null, fresh)),
          (err: Error) => callback(err, null),
        );
      },
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      // Our own deadline (the signal) bounds the whole exchange; undici's per-step timers stay out of its way.
      headersTimeout: settings.timeoutMs + 1000,
      bodyTimeout: settings.timeoutMs + 1000,
      pipelining: 1,
    });
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: req.accept ?? '*/*' };
    if (req.body) headers['content-type'] = req.body.contentType;
    // Kept alive only for a handshake's legs; otherwise the connection is the one request's.
    if (!handshake) headers.connection = 'close';
    if (absoluteForm) headers.host = url.host;
    const path = absoluteForm ? url.href : `${url.pathname}${url.search}`;
    const { response } = await withProxyAuth(handshake, clock, 'request', async (authorization) => {
      firstByteAt = undefined;
      const response = await client!.request({ method: req.method ?? 'GET', path, body: req.body?.bytes, headers: authorization ? { ...headers, 'proxy-authorization': authorization } : headers, signal });
      const proxyAuthenticate = headerList(response.headers['proxy-authenticate']);
      // A 407 the handshake will answer: its body out of the way before the next leg on this connection.
      if (response.statusCode === 407 && handshake) await response.body.dump({ limit: MAX_PROXY_BODY_BYTES }).catch(() => undefined);
      return { status: response.statusCode, proxyAuthenticate, sentAt: lastSentAt ?? process.hrtime.bigint(), response };
    });
    if (!requestSent) {
      requestSent = true;
      clock.enter('request');
    }
    clock.enter('transfer', firstByteAt);
    const chunks: Buffer[] = [];
    let received = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      received += (chunk as Buffer).length;
      if (req.keepBody) chunks.push(chunk as Buffer);
      if (received >= req.maxBodyBytes) {
        truncated = true; // capped: the rest is not ours to wait for
        break;
      }
    }
    clock.finish();
    return {
      status: response.statusCode,
      headers: response.headers,
      body: req.keepBody ? Buffer.concat(chunks).subarray(0, req.maxBodyBytes) : Buffer.alloc(0),
      truncated,
      absoluteForm,
    };
  } catch (err) {
    // A failure after the connection was up but before the request went out still counts as the request's.
    if (connection && !requestSent) clock.enter('request');
    clock.finish();
    throw err;
  } finally {
    // Destroy rather than close: a capped or failed exchange must not wait for the rest of a body. The socket goes
    // first, so the client's own destroy has nothing left to wait for.
    closeConnection(connection);
    client?.destroy().catch(() => undefined);
  }
}
