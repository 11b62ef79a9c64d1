// config + catalogue -> plan: every endpoint × route to probe, with the settings the probes need.
// The plan is rebuilt on reload and swapped whole at a run boundary.
import { readFileSync, statSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { OPT_IN_CATEGORIES, hostMatchesPattern, loadCatalogue, toEndpoint, type Endpoint } from '../config/catalogue.js';
import { DEFAULT_MACHINE_CONFIG, type AgentConfig, type RouteConfig } from '../config/config.js';
import { InputError, readInputFile } from '../errors.js';
import { diagnose } from '../machineconfig/diagnose.js';
import { defaultMachineConfigPath } from '../machineconfig/paths.js';
import { loadMachineConfig } from '../machineconfig/read.js';
import { routeDecision } from '../machineconfig/route.js';
import type { MachineConfigResult } from '../machineconfig/types.js';
import type { Finding } from '../finding.js';
import type { NetSettings, ProxyHop } from '../net/types.js';
import { Secret } from '../secret.js';
import { readExpectedRootsFile, resolveCatalogueRoots, type ExpectedRoot } from './roots.js';
import { createProxyAuthenticator } from '../net/auth/authenticator.js';
import type { ProxyAuthenticator } from '../net/auth/scheme.js';
import { loadWinHttpRoute, type WinHttpRouteSource } from '../host/winhttp-route.js';
import { winHttpGoesDirect, winHttpProxyUrl } from '../host/winhttp.js';

/** Closed set: how a route finds its proxy (the `kind` label of entra_connect_route_info). */
export const ROUTE_KINDS = ['direct', 'proxy', 'machine_config', 'winhttp'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export interface Route {
  name: string;
  /** http://host:port, never with credentials. */
  proxyUrl?: string;
  proxy?: { host: string; port: number };
  bypass: string[];
  /** Answers the proxy's 407s with the route's credentials (or the process's own Kerberos identity). */
  authenticator?: ProxyAuthenticator;
  username?: string;
  /** Set when the route takes its proxy from a machine.config, as the sync engine does. */
  machineConfig?: MachineConfigRoute;
  /** Set when the route takes its proxy from WinHTTP's settings, as CryptoAPI does for revocation. */
  winhttp?: WinHttpRouteSource;
  kind: RouteKind;
  /** Which route this route's revocation checks take: the winhttp route (as CryptoAPI does) or itself. */
  revocation: 'winhttp' | 'self';
  /** all: every probe; revocation: only the revocation checks other routes send it (see revocationRoute). */
  carries: 'all' | 'revocation';
}

export interface MachineConfigRoute {
  path: string;
  /** The file's modification time when read: a change makes the daemon rebuild the plan. */
  mtimeMs: number;
  result: MachineConfigResult;
  findings: Finding[];
}

export interface ProbeTarget {
  endpoint: Endpoint;
  route: Route;
  via: 'proxy' | 'direct';
  expectedStatus: number[];
}

export interface ProbeSettings extends NetSettings {
  maxBodyBytes: number;
  /** The roots Microsoft's endpoints chain to; a validated chain ending elsewhere is TLS inspection. Empty: no verdict. */
  expectedRoots: ExpectedRoot[];
}

export interface Plan {
  config: AgentConfig;
  endpoints: Endpoint[];
  routes: Route[];
  targets: ProbeTarget[];
  settings: ProbeSettings;
}


export function buildRoute(rc: RouteConfig, index: number, config: AgentConfig, env: NodeJS.ProcessEnv): Route {
  const machineConfig = rc.machineConfig === DEFAULT_MACHINE_CONFIG ? defaultMachineConfigPath(env) : rc.machineConfig;
  const route: Route = { name: rc.name, bypass: rc.bypass, kind: machineConfig ? 'machine_config' : rc.winhttp ? 'winhttp' : rc.proxy ? 'proxy' : 'direct', revocation: rc.revocation, carries: rc.carries };
  if (rc.winhttp) route.winhttp = loadWinHttpRoute(rc.winhttp, config.file, index, process.platform, env);
  const proxyAddress = rc.proxy ?? (machineConfig ? readMachineConfig(machineConfig, route) : route.winhttp?.settings ? winHttpProxyUrl(route.winhttp.settings) : undefined);
  if (proxyAddress) {
    const url = new URL(proxyAddress);
    route.proxyUrl = `http://${url.host}`;
    route.proxy = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
  }
  const credentials = rc.credentials;
  if (credentials) {
    const key = `routes[${index}].credentials`;
    let password: Secret | undefined;
    if (credentials.passwordFile) password = new Secret(readInputFile(credentials.passwordFile, { file: config.file, key: `${key}.passwordFile`, what: 'password file' }).replace(/\r?\n$/, ''));
    else if (credentials.passwordEnv) {
      const value = env[credentials.passwordEnv];
      if (value === undefined) throw new InputError(config.file, `${key}.passwordEnv`, `environment variable ${credentials.passwordEnv} is not set`);
      password = new Secret(value);
    }
    route.username = credentials.username;
    route.authenticator = createProxyAuthenticator({ ...credentials, password });
  } else if (route.machineConfig?.result.proxy?.useDefaultCredentials && route.proxy) {
    // As the sync engine: the process's own identity (its Kerberos tickets), with Negotiate.
    route.authenticator = createProxyAuthenticator({ scheme: 'negotiate' });
  }
  return route;
}

/** Reads the route's machine.config; what is wrong with it becomes findings, never an error, as for the sync engine. */
function readMachineConfig(path: string, route: Route): string | undefined {
  const result = loadMachineConfig(path);
  route.machineConfig = { path, mtimeMs: fileMtime(path), result, findings: result.findings };
  const proxy = result.proxy;
  return proxy && proxy.enabled ? proxy.proxyAddress : undefined;
}

export function fileMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function trustAnchors(config: AgentConfig, env: NodeJS.ProcessEnv): string[] | undefined {
  const extra: string[] = [];
  if (config.tls.caFile) extra.push(readInputFile(config.tls.caFile, { file: config.file, key: 'tls.caFile' }));
  // Node adds NODE_EXTRA_CA_CERTS to its defaults only when no `ca` is passed; we pass one, so add it ourselves.
  if (extra.length === 0) return undefined;
  if (env.NODE_EXTRA_CA_CERTS) {
    try {
      extra.push(readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by ignoring it).
    }
  }
  return [...rootCertificates, ...extra];
}

/** The proxy a route's probe goes through, with its credentials; undefined for a route without a proxy. */
export function routeHop(route: Route): ProxyHop | undefined {
  return route.proxy ? { ...route.proxy, authenticator: route.authenticator } : undefined;
}

/** Whether this route sends a request for `url` straight to the server rather than through its proxy. */
export function routeGoesDirect(route: Route, url: URL): boolean {
  if (!route.proxy) return true;
  const fromMachineConfig = route.machineConfig?.result.proxy;
  if (fromMachineConfig) return routeDecision(fromMachineConfig, url).via === 'direct';
  if (route.winhttp?.settings) return winHttpGoesDirect(route.winhttp.settings, url);
  return route.bypass.some((pattern) => pattern === '*' || hostMatchesPattern(url.hostname, pattern.startsWith('.') ? `*${pattern}` : pattern));
}

/** The route a route's revocation checks (CRL, OCSP) take: the plan's WinHTTP route unless `revocation: self`. */
export function revocationRoute(routes: readonly Route[], route: Route): Route {
  if (route.revocation === 'self') return route;
  return routes.find((r) => r.kind === 'winhttp') ?? route;
}

/** The routes that carry every probe: all but the revocation-only ones. */
export function probeRoutes(routes: readonly Route[]): Route[] {
  return routes.filter((r) => r.carries === 'all');
}

/**
 * The routes a catalogue endpoint is probed over. A certificate row (a CRL or OCSP host) is fetched by Windows the
 * way CryptoAPI fetches it, so over each probe route's revocation route, once per distinct one; the rest over every
 * probe route.
 */
export function endpointRoutes(routes: readonly Route[], endpoint: Endpoint): Route[] {
  const carriers = probeRoutes(routes);
  if (endpoint.category !== 'certificate') return carriers;
  return [...new Set(carriers.map((r) => revocationRoute(routes, r)))];
}

export function buildPlan(config: AgentConfig, env: NodeJS.ProcessEnv = process.env): Plan {
  const catalogue = loadCatalogue(config.cloud);
  const known = new Set(catalogue.endpoints.map((e) => e.id));
  for (const [i, id] of config.catalogue.exclude.entries()) {
    if (!known.has(id)) throw new InputError(config.file, `catalogue.exclude[${i}]`, `no endpoint "${id}" in the ${config.cloud} catalogue`);
  }
  const optIn = new Set<string>(OPT_IN_CATEGORIES);
  const included = new Set<string>(config.catalogue.include);
  const endpoints = catalogue.endpoints.filter((e) => !config.catalogue.exclude.includes(e.id) && (!optIn.has(e.category) || included.has(e.category)));
  for (const [i, raw] of config.catalogue.add.entries()) {
    if (endpoints.some((e) => e.id === raw.id)) throw new InputError(config.file, `catalogue.add[${i}].id`, `duplicate endpoint id "${raw.id}"`);
    endpoints.push(toEndpoint(raw, 'custom'));
  }
  for (const id of Object.keys(config.catalogue.expectedStatus)) {
    if (!endpoints.some((e) => e.id === id)) throw new InputError(config.file, `catalogue.expectedStatus.${id}`, `no endpoint "${id}"`);
  }
  const keytabs = new Set((config.routes ?? []).flatMap((rc) => (rc.credentials?.keytab ? [rc.credentials.keytab] : [])));
  if (keytabs.size > 1) {
    const i = (config.routes ?? []).findIndex((rc) => rc.credentials?.keytab && rc.credentials.keytab !== [...keytabs][0]);
    throw new InputError(config.file, `routes[${i}].credentials.keytab`, 'differs from another route\'s: Kerberos reads one client keytab per process (KRB5_CLIENT_KTNAME), so all routes must name the same one');
  }
  const routes = (config.routes ?? []).map((rc, i) => buildRoute(rc, i, config, env));
  for (const [i, route] of routes.entries()) {
    if (route.machineConfig) {
      route.machineConfig.findings = diagnose(route.machineConfig.result, endpoints, { miiserverConfigPath: config.routes?.[i]?.miiserverConfig });
    }
  }
  const targets: ProbeTarget[] = [];
  for (const endpoint of endpoints) {
    for (const route of endpointRoutes(routes, endpoint)) {
      targets.push({
        endpoint,
        route,
        via: routeGoesDirect(route, new URL(endpoint.url)) ? 'direct' : 'proxy',
        expectedStatus: config.catalogue.expectedStatus[endpoint.id] ?? endpoint.expectedStatus ?? config.probes.expectedStatus,
      });
    }
  }
  const resolve: Record<string, string> = {};
  for (const [name, address] of Object.entries(config.resolve)) resolve[name.toLowerCase()] = address;
  return {
    config,
    endpoints,
    routes,
    targets,
    settings: {
      timeoutMs: Math.round(config.probes.timeoutSeconds * 1000),
      maxBodyBytes: config.probes.maxBodyBytes,
      ca: trustAnchors(config, env),
      resolve,
      dnsServers: config.dns.servers.length > 0 ? config.dns.servers : undefined,
      tlsVersions: { min: config.tls.minVersion, max: config.tls.maxVersion },
      expectedRoots: config.tls.expectedRootsFile
        ? readExpectedRootsFile(config.tls.expectedRootsFile, { file: config.file, key: 'tls.expectedRootsFile' })
        : resolveCatalogueRoots(catalogue.tlsRoots),
    },
  };
}
