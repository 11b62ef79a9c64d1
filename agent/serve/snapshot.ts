// What the HTTP face reads of the agent: a copy taken at request time, so that the status page and /status depend
// on data, not on the daemon that produced it. Facts about routes are worked out here, once, from the plan and the
// latest results; the page only lays them out.
import { basename } from 'node:path';
import type { Category } from '../config/catalogue.js';
import type { HistorySnapshot } from '../export/history.js';
import { revocationRoute, type Plan, type Route } from '../plan/plan.js';
import type { ProbeResult } from '../probes/http/result.js';
import type { IdleResult } from '../probes/idle/result.js';
import { PROBES, type AnyResult, type ProbeKind } from '../probes/registry.js';
import type { Finding } from '../finding.js';
import type { HostCheck } from '../host/check.js';

export interface RouteFacts {
  name: string;
  /** direct, proxy, machine_config or winhttp. */
  kind: string;
  /** http://host:port, never with credentials; null for a route without a proxy. */
  proxy: string | null;
  username: string | null;
  /** The scheme the agent answers the proxy with; null when it sends no credentials. */
  authScheme: string | null;
  /** The schemes the proxy offered in its latest 407, when one was seen. */
  authOffered: string[] | null;
  /** The proxy took a connection in the latest results; null for a route without a proxy, or not known yet. */
  reachable: boolean | null;
  idle: { verdict: IdleResult['verdict']; closeSeconds: number | null; requiredSeconds: number; silentDrop: boolean; startedAt: number } | null;
  /** What is wrong with the machine.config the route reads its proxy from; null for a route that reads none. */
  machineConfig: { findings: Finding[] } | null;
  /** The route this route's revocation checks (CRL, OCSP) take. */
  revocation: string;
  /** all, or revocation: only the revocation checks other routes send it. */
  carries: 'all' | 'revocation';
  /** The endpoints probed over this route (certificate rows go over the revocation route only). */
  probes: string[];
}

export interface EndpointFacts {
  id: string;
  category: Category;
  /** The name the proxy must allow, as the article writes it. */
  pattern: string;
  url: string;
  description: string;
  required: boolean;
}

export interface StatusSnapshot {
  ready: boolean;
  /** The configuration file's name, without its path. */
  config: string;
  cloud: string;
  /** When the snapshot was taken (Unix ms). */
  takenAt: number;
  /** The probe kinds that run on a schedule with this plan. */
  scheduled: Record<ProbeKind, boolean>;
  routes: RouteFacts[];
  /** The plan's endpoints, in catalogue order. */
  endpoints: EndpointFacts[];
  history: HistorySnapshot<AnyResult>;
  /** The last host check: the Entra Connect server's facts and findings. */
  host?: HostCheck;
  /** Findings about this host (TLS settings, service account, ...), when a host check supplies them. */
  findings?: Finding[];
}

/** The agent as the server sees it. */
export interface AgentHandle {
  readonly ready: boolean;
  readonly metrics: { exposition(openMetrics: boolean): AsyncIterable<string>; contentType(openMetrics: boolean): string };
  reload(): { ok: true } | { ok: false; error: string };
  snapshot(): StatusSnapshot;
}

// A result that got past the TCP connect to the proxy says the proxy is there, whatever it answered.
const BEYOND_CONNECT = ['proxy_connect', 'tls', 'request', 'transfer'] as const;
function reachedProxy(r: ProbeResult): boolean {
  return r.success || r.proxyStatus !== undefined || r.httpStatus !== undefined || BEYOND_CONNECT.some((p) => r.phases[p] !== undefined);
}

function reachable(route: Route, http: ProbeResult[]): boolean | null {
  if (!route.proxy) return null;
  const proxied = http.filter((r) => r.via === 'proxy');
  if (proxied.some(reachedProxy)) return true;
  return proxied.some((r) => r.reason === 'proxy_unreachable') ? false : null;
}

/** Findings name the file by its full path; an HTTP answer names no path of this machine. */
function withoutPath(findings: Finding[], path: string): Finding[] {
  const name = basename(path);
  const scrub = (text: string) => text.split(path).join(name);
  return findings.map((f) => ({ ...f, message: scrub(f.message), remedy: scrub(f.remedy) }));
}

function routeFacts(plan: Plan, route: Route, latest: readonly AnyResult[]): RouteFacts {
  const mine = latest.filter((r) => r.route === route.name);
  const http = mine.filter((r): r is ProbeResult => r.kind === 'http');
  const idle = mine.find((r): r is IdleResult => r.kind === 'idle');
  const offered = http.filter((r) => r.proxyStatus === 407 && r.proxyAuthSchemes).sort((a, b) => b.startedAt - a.startedAt)[0];
  return {
    name: route.name,
    kind: route.kind,
    proxy: route.proxyUrl ?? null,
    username: route.username ?? null,
    // The configured scheme (basic, negotiate, ntlm, or auto: the best the proxy offers).
    authScheme: route.authenticator ? route.authenticator.configured : null,
    authOffered: offered?.proxyAuthSchemes ?? null,
    reachable: reachable(route, http),
    idle: idle ? { verdict: idle.verdict, closeSeconds: idle.closeSeconds ?? null, requiredSeconds: idle.requiredSeconds, silentDrop: idle.silentDrop, startedAt: idle.startedAt } : null,
    machineConfig: route.machineConfig ? { findings: withoutPath(route.machineConfig.findings, route.machineConfig.path) } : null,
    revocation: revocationRoute(plan.routes, route).name,
    carries: route.carries,
    probes: plan.targets.filter((t) => t.route === route).map((t) => t.endpoint.id),
  };
}

export function takeSnapshot(plan: Plan, history: HistorySnapshot<AnyResult>, ready: boolean, host?: HostCheck): StatusSnapshot {
  // A skipped host check (not on the server, no exported files) has nothing to judge: the step is not applicable.
  const findings = host && !host.skipped ? host.findings : undefined;
  return {
    ready,
    // The file's name only: no path of this machine in an HTTP answer.
    config: basename(plan.config.file),
    cloud: plan.config.cloud,
    takenAt: Date.now(),
    scheduled: Object.fromEntries(PROBES.map((p) => [p.kind, p.schedule(plan) !== undefined])) as Record<ProbeKind, boolean>,
    routes: plan.routes.map((r) => routeFacts(plan, r, history.latest)),
    endpoints: plan.endpoints.map((e) => ({ id: e.id, category: e.category, pattern: e.pattern, url: e.url, description: e.description, required: e.required })),
    history,
    ...(host ? { host } : {}),
    ...(findings ? { findings } : {}),
  };
}
