// The idle-tunnel probe: measures a proxy's idle timeout the way an export meets it. Microsoft Entra ID can take up
// to 5 minutes to answer an export, and a proxy that closes a silent tunnel sooner breaks exports intermittently.
// One cycle opens one tunnel per hold at once (CONNECT + TLS to the export endpoint), keeps each silent for its hold,
// then asks a real request over the same TLS session. The holds bracket the proxy's idle timeout; a close while
// silent is seen the moment it happens (socket events, no polling) and is the idle timeout, measured.
import type { IdleHold, IdleResult } from './result.js';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { Endpoint } from '../../config/catalogue.js';
import { classifyFailure, remedyFor, type FailureReason } from '../classify.js';
import { closeConnection, openConnection, type Connection } from '../../net/connector.js';
import { NetError } from '../../net/net-error.js';
import { PhaseClock } from '../../net/phase-clock.js';
import { MAX_PROXY_HEAD_BYTES, parseResponseHead } from '../../net/proxy-connect.js';
import { probeRoutes, routeGoesDirect, routeHop, type Plan, type ProbeSettings, type Route } from '../../plan/plan.js';

import { sanitizeRemoteText } from '../../net/net-error.js';

export type IdleTunnelState = 'open' | 'closed' | 'answered' | 'dropped' | 'failed';

export interface IdleProgress {
  route: string;
  holdSeconds: number;
  state: IdleTunnelState;
  /**
   * Seconds of silence on this tunnel (0 at 'open'; the hold at 'answered' and 'dropped'; the silence until the
   * close at 'closed'). 'failed' is a tunnel that could not open (elapsedSeconds: time spent trying) or whose answer
   * after the hold was not HTTP (elapsedSeconds: the hold).
   */
  elapsedSeconds: number;
}

export interface IdleOptions {
  /** One tunnel per hold; the longest must exceed requiredSeconds for the cycle to be able to pass. */
  holdSeconds: number[];
  requiredSeconds: number;
  /** Below the requirement but above this: warn, not fail. The requirement itself when absent (no warn band). */
  minimumSeconds?: number;
  onProgress?: (event: IdleProgress) => void;
}

const USER_AGENT = 'entra-connect-monitor';

/** The routes an idle cycle runs over (those that send the export endpoint through a proxy), each with that endpoint. */
export function idleTargets(plan: Plan): Array<{ route: Route; endpoint: Endpoint }> {
  const endpoint = idleEndpoint(plan);
  if (!endpoint) return [];
  return probeRoutes(plan.routes).filter((route) => route.proxy !== undefined && !routeGoesDirect(route, new URL(endpoint.url))).map((route) => ({ route, endpoint }));
}

/** idle.endpoint from the catalogue; if it was excluded or renamed, the first HTTPS endpoint exports travel over. */
function idleEndpoint(plan: Plan): Endpoint | undefined {
  return plan.endpoints.find((e) => e.id === plan.config.idle.endpoint) ?? plan.endpoints.find((e) => e.exports && e.scheme === 'https');
}

const secondsSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const roundMs = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** Runs one idle cycle over one proxy route. Never throws; aborting `signal` ends it at once with verdict 'error'. */
export async function measureIdle(route: Route, endpoint: Endpoint, settings: ProbeSettings, options: IdleOptions, signal?: AbortSignal): Promise<IdleResult> {
  const started = process.hrtime.bigint();
  const base = {
    kind: 'idle' as const,
    target: endpoint.id,
    route: route.name,
    endpoint: endpoint.id,
    url: endpoint.url,
    startedAt: Date.now(),
    requiredSeconds: options.requiredSeconds,
    minimumSeconds: Math.min(options.minimumSeconds ?? options.requiredSeconds, options.requiredSeconds),
    silentDrop: false,
    holds: [] as IdleHold[],
  };
  const finish = (rest: Pick<IdleResult, 'verdict'> & Partial<IdleResult>): IdleResult => ({ ...base, durationSeconds: secondsSince(started), success: rest.verdict === 'pass', ...rest });

  const unusable = whyCycleCannotRun(route, endpoint, options);
  if (unusable) return finish({ verdict: 'error', detail: unusable });
  if (signal?.aborted) return finish({ verdict: 'error', detail: 'aborted' });

  // The cycle's own controller: the caller's abort (SIGTERM) and a tunnel that cannot open both end every tunnel.
  const cycle = new AbortController();
  const onCallerAbort = () => cycle.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  const holds = [...options.holdSeconds].sort((a, b) => a - b);
  const reporterFor = (holdSeconds: number) => (state: IdleTunnelState, elapsedSeconds: number) => {
    try {
      options.onProgress?.({ route: route.name, holdSeconds, state, elapsedSeconds });
    } catch {
      // a listener's mistake must not end a tunnel or make the cycle throw
    }
  };
  let ends: TunnelEnd[];
  try {
    ends = await Promise.all(holds.map((holdSeconds) => runTunnel({ route, endpoint, settings, cycle, report: reporterFor(holdSeconds) }, holdSeconds)));
  } finally {
    signal?.removeEventListener('abort', onCallerAbort);
  }

  const openFailure = ends.find((e): e is OpenFailed => e.kind === 'open_failed');
  const results = ends.flatMap((e) => (e.kind === 'open_failed' ? [] : [e.hold]));
  if (signal?.aborted) return finish({ verdict: 'error', detail: 'aborted', holds: results });
  // The tunnels open together, so one that could not open leaves nothing measured worth reporting.
  if (openFailure) return finish({ verdict: 'error', reason: openFailure.reason, detail: openFailure.detail, remedy: remedyFor(openFailure.reason) });
  return finish(verdictOf(results, base.requiredSeconds, base.minimumSeconds));
}

function whyCycleCannotRun(route: Route, endpoint: Endpoint, options: IdleOptions): string | undefined {
  if (!route.proxy) return `route ${route.name} has no proxy: there is no proxy idle timeout to measure`;
  if (endpoint.scheme !== 'https') return `endpoint ${endpoint.id} is not HTTPS: exports travel in a CONNECT tunnel`;
  if (options.holdSeconds.length === 0) return 'no holds configured';
  const longest = Math.max(...options.holdSeconds);
  // Without a hold past the requirement, a proxy that meets it can never be told from one that does not.
  if (longest <= options.requiredSeconds) return `the longest hold (${longest} s) does not exceed the requirement (${options.requiredSeconds} s)`;
  return undefined;
}

/**
 * pass: a tunnel silent for longer than the requirement still answered; warn: only one silent for longer than the
 * minimum did; fail otherwise, with what was measured.
 */
function verdictOf(holds: IdleHold[], requiredSeconds: number, minimumSeconds: number): Pick<IdleResult, 'verdict' | 'holds' | 'closeSeconds' | 'silentDrop' | 'reason' | 'detail' | 'remedy'> {
  const closes = holds.flatMap((h) => (h.closedAfterSeconds === undefined ? [] : [h.closedAfterSeconds]));
  const closeSeconds = closes.length > 0 ? Math.min(...closes) : undefined;
  const silentDrop = holds.some((h) => h.silentDrop === true);
  const measured = { holds, closeSeconds, silentDrop };
  const answered = holds.filter((h) => h.survived).map((h) => h.holdSeconds);
  const passed = holds.some((h) => h.survived && h.holdSeconds > requiredSeconds);
  const metMinimum = holds.some((h) => h.survived && h.holdSeconds > minimumSeconds);

  const what: string[] = [];
  if (closeSeconds !== undefined) what.push(`the proxy closed idle tunnels after ${closeSeconds.toFixed(1)} s`);
  if (silentDrop) what.push('the proxy dropped idle tunnels silently (no answer after the hold)');
  const fates = [
    answered.length > 0 ? `tunnels held ${listSeconds(answered)} answered` : 'no tunnel answered',
    ...describeFate(holds, (h) => h.closedAfterSeconds !== undefined, 'were closed'),
    ...describeFate(holds, (h) => h.silentDrop === true, 'got no answer'),
    ...describeFate(holds, (h) => !h.survived && h.closedAfterSeconds === undefined && h.silentDrop !== true, 'failed'),
  ];
  const requirement = minimumSeconds < requiredSeconds ? `the requirement is ${requiredSeconds} s (at least ${minimumSeconds} s not to fail)` : `the requirement is ${requiredSeconds} s`;
  if (passed) {
    const lead = what.length > 0 ? `${what.join('; ')} (${fates.join('; ')})` : `tunnels held silent up to ${Math.max(...answered)} s answered`;
    return { ...measured, verdict: 'pass', detail: `${lead}; ${requirement}` };
  }
  const lead = what.length > 0 ? what.join('; ') : 'no tunnel held longer than the requirement answered';
  if (metMinimum) {
    // Passes the troubleshooting article (more than 5 minutes), not the prerequisites (at least 6): exports that take
    // Entra ID close to 5 minutes still risk the cut.
    return { ...measured, verdict: 'warn', remedy: remedyFor('idle_tunnel_closed'), detail: `${lead} (${fates.join('; ')}); more than ${minimumSeconds} s but not ${requiredSeconds} s: ${requirement}` };
  }
  return { ...measured, verdict: 'fail', reason: 'idle_tunnel_closed', remedy: remedyFor('idle_tunnel_closed'), detail: `${lead} (${fates.join('; ')}); ${requirement}` };
}

function describeFate(holds: IdleHold[], matches: (h: IdleHold) => boolean, fate: string): string[] {
  const seconds = holds.filter(matches).map((h) => h.holdSeconds);
  return seconds.length > 0 ? [`${listSeconds(seconds)} ${fate}`] : [];
}

/** [60, 150, 240] -> "60 s, 150 s and 240 s" */
function listSeconds(values: number[]): string {
  const items = values.map((v) => `${v} s`);
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

interface TunnelContext {
  route: Route;
  endpoint: Endpoint;
  settings: ProbeSettings;
  cycle: AbortController;
  report: (state: IdleTunnelState, elapsedSeconds: number) => void;
}

interface OpenFailed {
  kind: 'open_failed';
  reason: FailureReason;
  detail: string;
}
type TunnelEnd = { kind: 'held'; hold: IdleHold } | OpenFailed;

/** One tunnel's life: open, hold silent, ask. Never throws; always destroys its socket before it resolves. */
async function runTunnel(ctx: TunnelContext, holdSeconds: number): Promise<TunnelEnd> {
  const { route, endpoint, settings, cycle } = ctx;
  const opening = process.hrtime.bigint();
  let socket: Socket | TLSSocket;
  let opened: Connection | undefined;
  try {
    const connection = await openConnection({
      host: endpoint.host,
      port: endpoint.port,
      tls: true,
      proxy: routeHop(route),
      ca: settings.ca,
      resolve: settings.resolve,
      dnsServers: settings.dnsServers,
      tlsVersions: settings.tlsVersions,
      // The probe timeout bounds the open only; the hold and the request after it have their own clocks.
      signal: AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), cycle.signal]),
      clock: new PhaseClock(),
    });
    opened = connection;
    socket = connection.socket;
  } catch (err) {
    if (cycle.signal.aborted) return { kind: 'held', hold: { holdSeconds, survived: false, detail: 'aborted while opening' } };
    ctx.report('failed', secondsSince(opening));
    cycle.abort(); // a cycle with a tunnel missing cannot bracket the timeout: stop the others now
    return { kind: 'open_failed', ...describeOpenFailure(err) };
  }

  // Errors are handled by the listeners of each stage; this one only keeps a late error (after a stage let go,
  // before destroy) from becoming an uncaught exception.
  socket.on('error', () => undefined);
  try {
    ctx.report('open', 0);
    const silentSince = process.hrtime.bigint();
    const silence = await holdSilence(socket, silentSince, holdSeconds * 1000, cycle.signal);
    if (silence.kind === 'aborted') return { kind: 'held', hold: { holdSeconds, survived: false, detail: 'aborted' } };
    if (silence.kind === 'closed') {
      const after = roundMs(silence.afterSeconds);
      ctx.report('closed', after);
      return { kind: 'held', hold: { holdSeconds, survived: false, closedAfterSeconds: after, detail: `the proxy closed the tunnel (${silence.how}) after ${after.toFixed(3)} s of silence` } };
    }
    const answer = await askOverTunnel(socket, endpoint, settings, cycle.signal);
    if (answer.kind === 'aborted') return { kind: 'held', hold: { holdSeconds, survived: false, detail: 'aborted' } };
    if (answer.kind === 'closed') {
      // A clean close as the request went out: the proxy's timer ran out at the end of the hold (or the request
      // was refused with a FIN, which a proxy does when the far side of the tunnel is gone). Either way a close.
      const after = roundMs(secondsSince(silentSince));
      ctx.report('closed', after);
      return { kind: 'held', hold: { holdSeconds, survived: false, closedAfterSeconds: after, detail: `the proxy closed the tunnel (FIN) without answering the request sent after ${holdSeconds} s of silence` } };
    }
    if (answer.kind === 'answered') {
      ctx.report('answered', holdSeconds);
      return { kind: 'held', hold: { holdSeconds, survived: true, httpStatus: answer.status, detail: `answered ${answer.status} after ${holdSeconds} s of silence` } };
    }
    ctx.report(answer.kind === 'dropped' ? 'dropped' : 'failed', holdSeconds);
    return { kind: 'held', hold: { holdSeconds, survived: false, silentDrop: answer.kind === 'dropped', detail: answer.why } };
  } finally {
    closeConnection(opened);
  }
}

/** The core's classification of a failed open. Only a refused CONNECT carries a proxy status: a TLS failure after
 * the proxy's 200 is the TLS failure, not a proxy error. */
function describeOpenFailure(err: unknown): { reason: FailureReason; detail: string } {
  if (err instanceof NetError) {
    const reason = classifyFailure({ via: 'proxy', phase: err.phase, code: err.code, timedOut: err.code === 'ETIMEDOUT', proxyStatus: err.extra.proxyStatus });
    return { reason, detail: sanitizeRemoteText(err.message, 300) };
  }
  const code = (err as NodeJS.ErrnoException)?.code ?? 'ERR';
  return { reason: classifyFailure({ via: 'proxy', phase: undefined, code, timedOut: false }), detail: sanitizeRemoteText(`${code} opening the tunnel: ${String(err)}`, 300) };
}

type Silence = { kind: 'held' } | { kind: 'closed'; afterSeconds: number; how: string } | { kind: 'aborted' };

/**
 * Keeps the tunnel silent for holdMs and watches it. The socket flows (what arrives is discarded; nothing should)
 * so that a FIN is read the moment it arrives: a paused socket would leave it unread until the request.
 */
function holdSilence(socket: Socket | TLSSocket, since: bigint, holdMs: number, cycle: AbortSignal): Promise<Silence> {
  return new Promise((resolve) => {
    const settle = (outcome: Silence) => {
      clearTimeout(timer);
      socket.off('data', discard);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      cycle.removeEventListener('abort', onAbort);
      socket.pause();
      resolve(outcome);
    };
    const discard = () => undefined;
    const onEnd = () => settle({ kind: 'closed', afterSeconds: secondsSince(since), how: 'FIN' });
    const onClose = () => settle({ kind: 'closed', afterSeconds: secondsSince(since), how: 'closed' });
    const onError = (err: NodeJS.ErrnoException) => settle({ kind: 'closed', afterSeconds: secondsSince(since), how: err.code ?? 'error' });
    const onAbort = () => settle({ kind: 'aborted' });
    const timer = setTimeout(() => settle({ kind: 'held' }), holdMs);
    socket.on('data', discard);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
    cycle.addEventListener('abort', onAbort, { once: true });
    socket.resume();
    if (cycle.aborted) onAbort();
    else if (socket.destroyed || socket.readableEnded) onClose();
  });
}

type Answer = { kind: 'answered'; status: number } | { kind: 'closed' } | { kind: 'dropped'; why: string } | { kind: 'not_http'; why: string } | { kind: 'aborted' };

/**
 * After the hold: one GET with Connection: close, written by hand so that nothing but this function ever reads or
 * writes the tunnel. Answered once the head and the body (Content-Length, chunked end, close, or maxBodyBytes)
 * are in. A clean close before any answer is a close; no answer within the probe timeout, or a reset, is a silent
 * drop (the tunnel looked open but was dead).
 */
function askOverTunnel(socket: Socket | TLSSocket, endpoint: Endpoint, settings: ProbeSettings, cycle: AbortSignal): Promise<Answer> {
  const url = new URL(endpoint.url);
  const request = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, `User-Agent: ${USER_AGENT}`, 'Accept: */*', 'Connection: close', '', ''].join('\r\n');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let head: { status: number; bodyStart: number; contentLength?: number; chunked: boolean } | undefined;
    const settle = (outcome: Answer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      cycle.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const bodyComplete = (buffered: Buffer): boolean => {
      if (!head) return false;
      const bodyBytes = buffered.length - head.bodyStart;
      if (bodyBytes >= settings.maxBodyBytes) return true; // capped: the rest is not ours to wait for
      if (head.contentLength !== undefined) return bodyBytes >= head.contentLength;
      if (head.chunked) return buffered.subarray(head.bodyStart).includes('0\r\n\r\n');
      return false; // delimited by the close
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const buffered = Buffer.concat(chunks, size);
      if (!head) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) {
          if (size > MAX_PROXY_HEAD_BYTES) settle({ kind: 'not_http', why: `the answer's head exceeds ${MAX_PROXY_HEAD_BYTES} bytes` });
          return;
        }
        const parsed = parseResponseHead(buffered.subarray(0, end).toString('latin1'));
        if (!parsed) return settle({ kind: 'not_http', why: 'the answer after the hold is not HTTP' });
        const contentLength = parsed.headers.get('content-length')?.[0];
        head = {
          status: parsed.status,
          bodyStart: end + 4,
          contentLength: contentLength !== undefined ? Number(contentLength) : undefined,
          chunked: /chunked/i.test(parsed.headers.get('transfer-encoding')?.join(',') ?? ''),
        };
      }
      if (bodyComplete(buffered)) settle({ kind: 'answered', status: head.status });
    };
    const onEnd = () => {
      if (head && head.contentLength === undefined && !head.chunked) return settle({ kind: 'answered', status: head.status });
      settle(head ? { kind: 'dropped', why: 'the answer after the hold was cut short' } : { kind: 'closed' });
    };
    const onError = (err: NodeJS.ErrnoException) => settle({ kind: 'dropped', why: `the request after the hold was reset (${err.code ?? 'error'})` });
    const onAbort = () => settle({ kind: 'aborted' });
    const timer = setTimeout(() => settle({ kind: 'dropped', why: `no answer within ${settings.timeoutMs / 1000} s to the request after the hold` }), settings.timeoutMs);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    cycle.addEventListener('abort', onAbort, { once: true });
    socket.resume();
    socket.write(request);
  });
}
