// One HTTPS GET through a route (CONNECT + TLS through the proxy, or straight), timed on the caller's PhaseClock,
// bound to the caller's AbortSignal, with the body read up to a cap. Probes that need to read what an endpoint says
// (sign-in discovery) build on it; it never throws: a network failure comes back classified with the core's reasons.
import { Client } from 'undici';
import { classifyFailure, type FailureReason } from '../classify.js';
import { openConnection, type Connection } from '../net/connector.js';
import { NetError } from '../net/net-error.js';
import type { PhaseClock } from '../net/phase-clock.js';
import type { ProbeSettings, Route } from '../plan.js';
import type { TlsFacts } from '../result.js';
import { sanitizeRemoteText } from './http.js';

const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;
const USER_AGENT = 'entra-connect-monitor';

export interface HttpsGetRequest {
  url: URL;
  route: Route;
  via: 'proxy' | 'direct';
  settings: ProbeSettings;
  clock: PhaseClock;
  signal: AbortSignal;
  /** Bytes of body kept (the rest is not waited for). */
  maxBodyBytes: number;
  accept?: string;
}

export type HttpsGetOutcome =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; truncated: boolean; proxyStatus?: number; tls?: TlsFacts }
  | { ok: false; reason: FailureReason; detail: string; proxyStatus?: number };

export async function httpsGet(req: HttpsGetRequest): Promise<HttpsGetOutcome> {
  const { url, route, via, settings, clock, signal } = req;
  const useProxy = via === 'proxy' && route.proxy !== undefined;
  const facts: { proxyStatus?: number } = {};
  let connection: Connection | undefined;
  let client: Client | undefined;
  try {
    connection = await openConnection({
      host: url.hostname,
      port: url.port ? Number(url.port) : 443,
      tls: true,
      proxy: useProxy ? { ...route.proxy!, authorization: route.authorization?.reveal() } : undefined,
      ca: settings.ca,
      resolve: settings.resolve,
      signal,
      clock,
      facts,
    });
    const socket = connection.socket;
    client = new Client(url.origin, {
      // undici must get the socket asynchronously: a synchronous callback leaves its client stuck connecting.
      connect: (_opts, callback) => process.nextTick(callback, null, socket),
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      headersTimeout: settings.timeoutMs + 1000,
      bodyTimeout: settings.timeoutMs + 1000,
      pipelining: 1,
    });
    clock.enter('request');
    const response = await client.request({
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers: { 'user-agent': USER_AGENT, accept: req.accept ?? '*/*', connection: 'close' },
      signal,
    });
    clock.enter('transfer');
    const chunks: Buffer[] = [];
    let received = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      chunks.push(buf);
      received += buf.length;
      if (received >= req.maxBodyBytes) {
        truncated = true;
        break;
      }
    }
    clock.finish();
    return {
      ok: true,
      status: response.statusCode,
      headers: response.headers,
      body: Buffer.concat(chunks).subarray(0, req.maxBodyBytes),
      truncated,
      proxyStatus: connection.proxyAnswer?.status,
      tls: connection.tls,
    };
  } catch (err) {
    const phase = clock.lastPhase;
    clock.finish();
    const timedOut = signal.aborted;
    if (err instanceof NetError) {
      const proxyStatus = err.extra.proxyStatus ?? facts.proxyStatus;
      const failedProxyStatus = proxyStatus !== undefined && (proxyStatus < 200 || proxyStatus > 299) ? proxyStatus : undefined;
      const reason = classifyFailure({ via, phase: err.phase, code: err.code, timedOut: timedOut || err.code === 'ETIMEDOUT', proxyStatus: failedProxyStatus });
      return { ok: false, reason, detail: sanitizeRemoteText(err.message, 300), proxyStatus };
    }
    const code = (err as { code?: string })?.code ?? 'ERR';
    const reason = classifyFailure({ via, phase, code, timedOut });
    const what = timedOut ? `no answer within the probe timeout (in ${phase ?? 'start'})` : `${code} in ${phase ?? 'start'}: ${(err as Error)?.message ?? String(err)}`;
    return { ok: false, reason, detail: sanitizeRemoteText(what, 300), proxyStatus: facts.proxyStatus };
  } finally {
    clock.finish();
    connection?.socket.destroy();
    client?.destroy().catch(() => undefined);
  }
}
