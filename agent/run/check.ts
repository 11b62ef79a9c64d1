// `check`: one pass over the plan in the article's order — machine.config, the proxy itself, the connectivity test
// URL (adminwebservice), every other endpoint, then (optionally) the idle timeout. When a route's proxy cannot be
// reached, one finding says so instead of a failed probe per endpoint.
import { remedyFor } from '../probes/classify.js';
import { resolveHost } from '../net/connector.js';
import { connect as tcpConnect } from 'node:net';
import type { Plan, ProbeSettings, ProbeTarget, Route } from '../plan/plan.js';
import { idleTargets, measureIdle, type IdleProgress } from '../probes/idle/probe.js';
import type { Finding, IdleResult, ProbeResult, SignInResult } from '../result.js';
import { signInPassed } from '../report/signin-report.js';
import { runProbes } from './runner.js';

export const CONNECTIVITY_TEST_ENDPOINT = 'adminwebservice';

export interface RouteCheck {
  route: string;
  proxy: string | null;
  /** null for a route without a proxy. */
  proxyReachable: boolean | null;
  findings: Finding[];
  machineConfig?: { path: string; proxyAddress: string | null; findings: Finding[] };
}

export type Situation = 'proxy_only' | 'direct_only' | 'both' | 'neither';

export interface EndpointSituation {
  endpoint: string;
  situation: Situation;
  message: string;
}

export interface CheckOutcome {
  routes: RouteCheck[];
  results: ProbeResult[];
  situations: EndpointSituation[];
  idle?: IdleResult[];
  /** Sign-in discovery, when a tenant domain is given. */
  signIn?: SignInResult[];
}

export interface CheckOptions {
  idle?: boolean;
  /** Called before each step, for a progress line. */
  onStep?: (step: string) => void;
  /** Called as idle tunnels open, answer or close (the idle step takes minutes). */
  onIdleProgress?: (event: IdleProgress) => void;
}

/** Opens (and closes) a TCP connection to the route's proxy within the probe timeout. */
export async function proxyReachable(route: Route, settings: Pick<ProbeSettings, 'timeoutMs' | 'resolve' | 'dnsServers'>): Promise<{ ok: true } | { ok: false; code: string }> {
  const proxy = route.proxy!;
  const signal = AbortSignal.timeout(settings.timeoutMs);
  try {
    const address = await resolveHost(proxy.host, settings.resolve, signal, settings.dnsServers);
    await new Promise<void>((resolve, reject) => {
      const socket = tcpConnect({ host: address, port: proxy.port });
      const onAbort = () => {
        socket.destroy();
        reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve();
      });
      socket.once('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code ?? 'ERROR' };
  }
}

export async function runCheck(plan: Plan, options: CheckOptions = {}): Promise<CheckOutcome> {
  const routes: RouteCheck[] = [];
  const unreachable = new Set<string>();

  options.onStep?.('machine.config');
  for (const route of plan.routes) {
    const check: RouteCheck = { route: route.name, proxy: route.proxyUrl ?? null, proxyReachable: null, findings: [] };
    const mc = route.machineConfig;
    if (mc) {
      check.machineConfig = { path: mc.path, proxyAddress: route.proxyUrl ?? null, findings: mc.findings };
      check.findings.push(...mc.findings);
    }
    routes.push(check);
  }

  options.onStep?.('proxy reachable');
  await Promise.all(
    plan.routes.map(async (route, i) => {
      if (!route.proxy) return;
      const outcome = await proxyReachable(route, plan.settings);
      routes[i]!.proxyReachable = outcome.ok;
      if (outcome.ok) return;
      unreachable.add(route.name);
      const skipped = plan.targets.filter((t) => t.route === route && t.via === 'proxy').length;
      routes[i]!.findings.push({
        code: 'proxy_unreachable',
        severity: 'error',
        message: `The proxy ${route.proxyUrl} of route ${route.name} cannot be reached (${outcome.code}); the ${skipped} endpoints that go through it were not probed.`,
        remedy: remedyFor('proxy_unreachable'),
      });
    }),
  );

  const runnable = plan.targets.filter((t) => !(t.via === 'proxy' && unreachable.has(t.route.name)));
  const isConnectivityTest = (t: ProbeTarget) => t.endpoint.id === CONNECTIVITY_TEST_ENDPOINT;
  options.onStep?.('connectivity test');
  const first = await runProbes(runnable.filter(isConnectivityTest), plan.settings, { concurrency: plan.config.probes.concurrency });
  options.onStep?.('endpoints');
  const rest = await runProbes(runnable.filter((t) => !isConnectivityTest(t)), plan.settings, { concurrency: plan.config.probes.concurrency });
  const results = [...first, ...rest];

  let idle: IdleResult[] | undefined;
  if (options.idle) {
    options.onStep?.('idle');
    const { holdSeconds, requiredSeconds, minimumSeconds } = plan.config.idle;
    const targets = idleTargets(plan).filter(({ route }) => !unreachable.has(route.name));
    idle = await Promise.all(targets.map(({ route, endpoint }) => measureIdle(route, endpoint, plan.settings, { holdSeconds, requiredSeconds, minimumSeconds, onProgress: options.onIdleProgress })));
  }
  return { routes, results, situations: compareDirectAndProxy(results), idle };
}

const UNABLE_TO_CONNECT = new Set(['connect_failed', 'dns', 'timeout', 'connection_reset']);

/** For endpoints probed both directly and through a proxy, what the pair of answers means. */
export function compareDirectAndProxy(results: readonly ProbeResult[]): EndpointSituation[] {
  const byEndpoint = new Map<string, ProbeResult[]>();
  for (const r of results) byEndpoint.set(r.endpoint, [...(byEndpoint.get(r.endpoint) ?? []), r]);
  const situations: EndpointSituation[] = [];
  for (const [endpoint, rs] of byEndpoint) {
    const direct = rs.filter((r) => r.via === 'direct');
    const proxied = rs.filter((r) => r.via === 'proxy');
    if (direct.length === 0 || proxied.length === 0) continue;
    const directOk = direct.some((r) => r.success);
    const proxyOk = proxied.some((r) => r.success);
    const directFailure = direct.find((r) => !r.success);
    const proxyFailure = proxied.find((r) => !r.success);
    if (proxyOk && !directOk) {
      const unable = directFailure?.reason && UNABLE_TO_CONNECT.has(directFailure.reason);
      situations.push({
        endpoint,
        situation: 'proxy_only',
        message:
          'Works only through the proxy (normal behind a proxy).' +
          (unable
            ? ` The direct call fails (${directFailure!.reason}): if the wizard or PowerShell shows "Unable to connect to the remote server", it is calling directly without the proxy, or DNS isn't correctly configured; make sure that machine.config is correctly configured.`
            : ''),
      });
    } else if (directOk && !proxyOk) {
      situations.push({
        endpoint,
        situation: 'direct_only',
        message: `Works only directly: the proxy blocks it (${proxyFailure?.reason ?? 'failed'}${proxyFailure?.proxyStatus ? `, ${proxyFailure.proxyStatus}` : ''}). The sync engine uses the proxy, so open this URL on the proxy.`,
      });
    } else if (!directOk && !proxyOk) {
      situations.push({
        endpoint,
        situation: 'neither',
        message: `Works neither directly (${directFailure?.reason}) nor through the proxy (${proxyFailure?.reason}): check DNS and the proxy's own outbound path, or Microsoft's service status.`,
      });
    } else {
      situations.push({ endpoint, situation: 'both', message: 'Works both directly and through the proxy.' });
    }
  }
  return situations;
}

export function checkPassed(outcome: CheckOutcome): boolean {
  return (
    outcome.results.every((r) => r.success || !r.required) &&
    outcome.routes.every((r) => r.findings.every((f) => f.severity !== 'error')) &&
    (outcome.idle ?? []).every((i) => i.verdict !== 'fail') &&
    signInPassed(outcome.signIn ?? [])
  );
}
