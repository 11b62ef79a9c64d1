// The HTTP probe: reaches one endpoint over one route the way the sync engine does (CONNECT + TLS through the
// proxy for HTTPS, an absolute-form GET to the proxy for HTTP, or straight), times every phase and never throws.
import type { ProbeResult } from './result.js';
import { classifyFailure, describeFailure, remedyFor, type FailureReason } from '../classify.js';
import { recordAuth } from '../proxy-auth.js';
import { exchange, type ExchangeProgress, type ExchangeRequest, type ExchangeResponse } from '../../net/http-exchange.js';
import { watchLoopLag } from '../../net/loop-lag.js';
import { sanitizeRemoteText } from '../../net/net-error.js';
import { PhaseClock } from '../../net/phase-clock.js';
import { parseProxyAuthenticate } from '../../net/proxy-connect.js';
import { routeHop, type ProbeSettings, type ProbeTarget } from '../../plan/plan.js';
import { judgeChain } from '../tls-verdict.js';
import { servedRevocationUrls } from '../revocation/urls.js';

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

/** What a kind built on this probe asks instead of a plain GET, and how it reads the endpoint's answer. */
export interface HttpAsk {
  method: NonNullable<ExchangeRequest['method']>;
  body?: ExchangeRequest['body'];
  accept?: string;
  maxBodyBytes: number;
  /** Called with the endpoint's own answer of an expected status; a failure it returns fails the probe. */
  read(response: ExchangeResponse): { reason: FailureReason; detail: string } | undefined;
}

export async function probeHttp(target: ProbeTarget, settings: ProbeSettings, parentSignal?: AbortSignal, ask?: HttpAsk): Promise<ProbeResult> {
  const { endpoint, route, via } = target;
  const url = new URL(endpoint.url);
  const clock = new PhaseClock();
  const lag = watchLoopLag();
  const startedAt = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
  const onParentAbort = () => controller.abort();
  parentSignal?.addEventListener('abort', onParentAbort, { once: true });

  const result: ProbeResult = {
    kind: 'http',
    target: endpoint.id,
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
  const progress: ExchangeProgress = {};
  let failure: { reason: FailureReason; detail: string } | undefined;
  try {
    const response = await exchange({
      url,
      hop: via === 'proxy' ? routeHop(route) : undefined,
      settings,
      clock,
      signal: controller.signal,
      maxBodyBytes: ask?.maxBodyBytes ?? settings.maxBodyBytes,
      progress,
      ...(ask ? { method: ask.method, body: ask.body, accept: ask.accept, keepBody: true } : {}),
    });
    result.proxyStatus = progress.proxyStatus;
    result.tls = progress.tls;
    const status = response.status;
    const ownError = response.absoluteForm ? proxyOwnError(status, response.headers) : undefined;
    if (ownError !== undefined) {
      result.proxyStatus = status;
      const reason = classifyFailure({ via, phase: 'request', code: `PROXY_${status}`, timedOut: false, proxyStatus: status });
      let detail = `the proxy answered ${ask?.method ?? 'GET'} ${url.href} with ${status} (${ownError})`;
      if (status === 407) {
        result.proxyAuthSchemes = parseProxyAuthenticate(headerList(response.headers['proxy-authenticate']));
        detail += `: ${explainProxyAuth(result.proxyAuthSchemes, route.authenticator !== undefined)}`;
      }
      failure = { reason, detail };
    } else {
      result.httpStatus = status;
      if (response.absoluteForm) result.proxyStatus = status;
      if (target.expectedStatus.length > 0 && !target.expectedStatus.includes(status)) {
        failure = { reason: 'http_status', detail: `the endpoint answered ${status}; expected ${target.expectedStatus.join(', ')}` };
      } else if (ask) {
        failure = ask.read(response);
      }
    }
  } catch (err) {
    const described = describeFailure(err, via, clock.lastPhase, controller.signal.aborted && !parentSignal?.aborted);
    result.proxyStatus = described.proxyStatus ?? progress.proxyStatus;
    result.tls = progress.tls;
    if (described.proxyAuthSchemes) result.proxyAuthSchemes = described.proxyAuthSchemes;
    failure = { reason: described.reason, detail: described.detail };
    if (result.proxyStatus === 407) failure.detail += `: ${explainProxyAuth(result.proxyAuthSchemes ?? [], route.authenticator !== undefined)}`;
  } finally {
    recordAuth(result, progress, route.proxyUrl ?? '');
    clearTimeout(timer);
    parentSignal?.removeEventListener('abort', onParentAbort);
    clock.finish();
    // Event-loop lag during the probe inflates its timestamps: say so rather than report a number known to be high.
    if (lag.end() > 0) result.timingDisturbed = true;
  }

  // A chain that validated but is not Microsoft's: the path is inspected, whatever the endpoint answered after it.
  // An endpoint the user added (a federation server, say) has roots of its own: its root is recorded, not judged.
  const verdict = result.tls ? judgeChain(result.tls, settings.expectedRoots, url.hostname) : undefined;
  if (verdict) {
    result.tls!.root = verdict.root;
    if (verdict.intercepted && endpoint.cloud !== 'custom') {
      failure = { reason: 'tls_intercepted', detail: failure ? `${verdict.intercepted}; then: ${failure.detail}` : verdict.intercepted };
    }
  }

  const leafSha256 = result.tls?.chain[0]?.sha256;
  if (leafSha256 && progress.peerCertificates) result.revocationUrls = servedRevocationUrls(leafSha256, progress.peerCertificates);

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

/** What a 407 means for this route: no credentials configured, or what the proxy offered the ones it has. */
export function explainProxyAuth(schemes: readonly string[], hasCredentials: boolean): string {
  const offered = schemes.length > 0 ? schemes.join(', ') : 'no scheme named';
  if (hasCredentials) return `the proxy offers ${offered}`;
  const integrated = schemes.includes('Negotiate') || schemes.includes('NTLM');
  return `no credentials are configured for this route (the proxy offers ${offered})${
    integrated ? `; the sync engine answers with its domain service account (machine.config useDefaultCredentials="true"): give the route credentials (scheme negotiate with a keytab, or ntlm with a domain account)` : ''
  }`;
}
