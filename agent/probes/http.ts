// The HTTP probe: reaches one endpoint over one route the way the sync engine does (CONNECT + TLS through the
// proxy for HTTPS, an absolute-form GET to the proxy for HTTP, or straight), times every phase and never throws.
import { subscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type { Client as UndiciClient } from 'undici';
import { classifyFailure, remedyFor, type FailureReason } from '../classify.js';
import { openConnection, type Connection } from '../net/connector.js';
import { watchLoopLag } from '../net/loop-lag.js';
import { NetError } from '../net/net-error.js';
import { PhaseClock } from '../net/phase-clock.js';
import { parseProxyAuthenticate as parseSchemes } from '../net/proxy-connect.js';
import type { ProbeSettings, ProbeTarget } from '../plan.js';
import type { ProbeResult } from '../result.js';

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
// taken where they happen: undici's `undici:client:sendHeaders` channel (just before the head is written to the
// socket), then the socket's first 'readable' (or, failing that, `undici:request:headers`), not around
// `await client.request()`, whose set-up and promise turns are the agent's own time, not the endpoint's.
// Requests are told apart by the socket each probe hands undici.
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

/** Remote text (a proxy's error name, a status text) as it may appear in a detail line: printable and short. */
export function sanitizeRemoteText(text: string, max = 200): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}...` : printable;
}

/** Markers that a response to an absolute-form request is the proxy's own, not the endpoint's. */
function proxyOwnError(status: number, headers: Record<string, string | string[] | undefined>): string | undefined {
  const squidError = headers['x-squid-error'];
  if (squidError) return sanitizeRemoteText(String(squidError));
  if (status === 407) return 'Proxy Authentication Required';
  return undefined;
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export async function probeHttp(target: ProbeTarget, settings: ProbeSettings, parentSignal?: AbortSignal): Promise<ProbeResult> {
  const { endpoint, route, via } = target;
  const url = new URL(endpoint.url);
  const clock = new PhaseClock();
  const lag = watchLoopLag();
  const startedAt = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
  const onParentAbort = () => controller.abort();
  parentSignal?.addEventListener('abort', onParentAbort, { once: true });
  const signal = controller.signal;

  const result: ProbeResult = {
    kind: 'http',
    endpoint: endpoint.id,
    route: route.name,
    url: endpoint.url,
    via,
    startedAt,
    success: false,
    durationSeconds: 0,
    phases: {},
    required: endpoint.required,
  };
  const useProxy = via === 'proxy' && route.proxy !== undefined;
  const tunnel = useProxy && endpoint.scheme === 'https';
  let connection: Connection | undefined;
  let client: Client | undefined;
  let failure: { reason: FailureReason; detail: string } | undefined;
  const facts: { proxyStatus?: number } = {};
  let requestSent = false;

  try {
    connection = await openConnection({
      host: endpoint.host,
      port: endpoint.port,
      tls: endpoint.scheme === 'https',
      proxy: useProxy ? { ...route.proxy!, authorization: route.authorization?.reveal() } : undefined,
      ca: settings.ca,
      resolve: settings.resolve,
      dnsServers: settings.dnsServers,
      signal,
      clock,
      facts,
    });
    if (connection.proxyAnswer) result.proxyStatus = connection.proxyAnswer.status;
    if (connection.tls) result.tls = connection.tls;

    const socket = connection.socket;
    const origin = useProxy && !tunnel ? `http://${route.proxy!.host}:${route.proxy!.port}` : url.origin;
    client = new Client(origin, {
      // undici must get the socket asynchronously: a synchronous callback leaves its client stuck connecting.
      connect: (_opts, callback) => process.nextTick(callback, null, socket),
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      // Our own deadline (the signal) bounds the whole probe; undici's per-step timers stay out of its way.
      headersTimeout: settings.timeoutMs + 1000,
      bodyTimeout: settings.timeoutMs + 1000,
      pipelining: 1,
    });
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' };
    if (useProxy && !tunnel) {
      headers.host = url.host;
      if (route.authorization) headers['proxy-authorization'] = route.authorization.reveal();
    }
    let firstByteAt: bigint | undefined;
    marksBySocket.set(socket, {
      sent: (at) => {
        if (requestSent) return;
        requestSent = true;
        clock.enter('request', at);
        // The first response bytes: the socket's first 'readable' after the request went out, heard before undici's
        // own listener parses them (the headers event below is the fallback).
        const onReadable = () => {
          firstByteAt ??= process.hrtime.bigint();
          socket.off('readable', onReadable);
        };
        socket.prependListener('readable', onReadable);
      },
      firstByte: (at) => (firstByteAt ??= at),
    });
    const response = await client.request({
      method: 'GET',
      path: useProxy && !tunnel ? url.href : `${url.pathname}${url.search}`,
      headers,
      signal,
    });
    if (!requestSent) {
      requestSent = true;
      clock.enter('request');
    }
    clock.enter('transfer', firstByteAt);
    let received = 0;
    for await (const chunk of response.body) {
      received += (chunk as Buffer).length;
      if (received >= settings.maxBodyBytes) break; // capped: the rest is not ours to wait for
    }
    clock.finish();

    const status = response.statusCode;
    const ownError = useProxy && !tunnel ? proxyOwnError(status, response.headers) : undefined;
    if (ownError !== undefined) {
      result.proxyStatus = status;
      const reason = classifyFailure({ via, phase: 'request', code: `PROXY_${status}`, timedOut: false, proxyStatus: status });
      let detail = `the proxy answered GET ${url.href} with ${status} (${ownError})`;
      if (status === 407) {
        result.proxyAuthSchemes = parseSchemes(headerList(response.headers['proxy-authenticate']));
        detail += `: ${explainProxyAuth(result.proxyAuthSchemes, route.authorization !== undefined)}`;
      }
      failure = { reason, detail };
    } else {
      result.httpStatus = status;
      if (useProxy && !tunnel) result.proxyStatus = status;
      if (target.expectedStatus.length > 0 && !target.expectedStatus.includes(status)) {
        failure = { reason: 'http_status', detail: `the endpoint answered ${status}; expected ${target.expectedStatus.join(', ')}` };
      }
    }
  } catch (err) {
    // A failure after the connection was up but before the request went out still counts as the request's.
    if (connection && !requestSent) clock.enter('request');
    clock.finish();
    if (facts.proxyStatus !== undefined) result.proxyStatus = facts.proxyStatus;
    failure = describeFailure(err, via, clock.lastPhase, signal.aborted && !parentSignal?.aborted, result);
    if (result.proxyStatus === 407) failure.detail += `: ${explainProxyAuth(result.proxyAuthSchemes ?? [], route.authorization !== undefined)}`;
  } finally {
    clearTimeout(timer);
    parentSignal?.removeEventListener('abort', onParentAbort);
    clock.finish();
    // Event-loop lag during the probe inflates its timestamps: say so rather than report a number known to be high.
    if (lag.end() > 0) result.timingDisturbed = true;
    // Destroy rather than close: a capped or failed probe must not wait for the rest of a body. The socket goes
    // first, so the client's own destroy has nothing left to wait for.
    connection?.socket.destroy();
    client?.destroy().catch(() => undefined);
  }

  result.phases = clock.phases();
  result.durationSeconds = clock.totalSeconds();
  if (failure) {
    result.reason = failure.reason;
    result.detail = failure.detail;
    result.remedy = remedyFor(failure.reason);
  } else {
    result.success = true;
  }
  return result;
}

/** What a 407 means for this route: no credentials, refused credentials, or schemes the agent cannot speak. */
export function explainProxyAuth(schemes: readonly string[], sentCredentials: boolean): string {
  const offered = schemes.length > 0 ? schemes.join(', ') : 'no scheme named';
  if (schemes.length > 0 && !schemes.includes('Basic')) {
    return `the proxy offers ${offered} only (Windows integrated authentication, which the sync engine uses with machine.config's useDefaultCredentials and a domain account); this agent sends Basic credentials only and cannot pass it`;
  }
  return sentCredentials ? `the proxy refused the route's credentials (it offers ${offered})` : `no credentials were sent (the proxy offers ${offered})`;
}

function describeFailure(err: unknown, via: 'proxy' | 'direct', phase: string | undefined, timedOut: boolean, result: ProbeResult): { reason: FailureReason; detail: string } {
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (err instanceof NetError) {
    const proxyStatus = err.extra.proxyStatus;
    if (proxyStatus !== undefined) {
      result.proxyStatus = proxyStatus;
      if (proxyStatus === 407) result.proxyAuthSchemes = parseSchemes(err.extra.proxyHeaders?.get('proxy-authenticate') ?? []);
    }
    const reason = classifyFailure({ via, phase: err.phase, code: err.code, timedOut: timedOut || err.code === 'ETIMEDOUT', proxyStatus });
    return { reason, detail: sanitizeRemoteText(err.message, 300) };
  }
  const code = e?.code ?? 'ERR';
  const reason = classifyFailure({ via, phase, code, timedOut });
  const what = timedOut ? `no answer within the probe timeout (in ${phase ?? 'start'})` : `${code} in ${phase ?? 'start'}: ${e?.message ?? String(err)}`;
  return { reason, detail: sanitizeRemoteText(what, 300) };
}
