// Routing: what .NET's WebProxy decides for one URL with the manual settings of machine.config.
import { isIP } from 'node:net';
import { convertDotNetRegex } from './dotnet-regex.js';
import type { MachineConfigProxy, RouteDecision } from './types.js';

/**
 * Decides, as the .NET Framework's WebProxy does for the manual settings in machine.config, whether a request for
 * `url` goes through the proxy or direct (WebProxy.IsBypassedManual):
 *  1. the proxy is disabled, or there is no usable proxyaddress: direct;
 *  2. loopback hosts (localhost, 127.0.0.0/8, ::1) always go direct;
 *  3. bypassonlocal="true": hosts without a dot go direct. (.NET also treats the machine's own addresses and names in
 *     its primary DNS domain as local; the agent can't see those from here, so it does not.);
 *  4. each bypass entry is a .NET regular expression, case-insensitive and unanchored, matched against
 *     "scheme://host" with ":port" added only when the port is not the scheme's default (e.g. "https://host" or
 *     "http://host:8080"); any match goes direct;
 *  5. otherwise the proxy.
 * A PAC script, WPAD or WinINET settings (usesystemdefault) are not followed; entries the agent cannot convert are
 * skipped (parseMachineConfig reports them).
 */
export function routeDecision(proxy: MachineConfigProxy, url: URL): RouteDecision {
  const decision = explainRoute(proxy, url);
  return decision.via === 'proxy' ? { via: 'proxy', proxy: decision.proxy } : { via: 'direct', why: decision.why };
}

type ExplainedRoute =
  | { via: 'proxy'; proxy: string }
  | { via: 'direct'; why: string; rule: 'disabled' | 'no_address' | 'loopback' | 'local' | 'bypass'; entry?: string };

export function explainRoute(proxy: MachineConfigProxy, url: URL): ExplainedRoute {
  if (!proxy.enabled) return { via: 'direct', rule: 'disabled', why: 'the proxy is disabled in machine.config (enabled="false")' };
  if (!proxy.proxyAddress) return { via: 'direct', rule: 'no_address', why: 'machine.config names no usable proxy address' };
  const host = url.hostname.toLowerCase();
  const bareHost = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isLoopback(bareHost)) return { via: 'direct', rule: 'loopback', why: `${host} is a loopback address, which .NET never sends to a proxy` };
  if (proxy.bypassOnLocal && isIP(bareHost) === 0 && !bareHost.includes('.')) {
    return { via: 'direct', rule: 'local', why: `bypassonlocal="true" and ${host} has no dot, so .NET treats it as local` };
  }
  const matchText = bypassMatchText(url);
  for (const entry of proxy.bypassList) {
    const conversion = convertDotNetRegex(entry);
    if (conversion.ok && conversion.regex.test(matchText)) {
      return { via: 'direct', rule: 'bypass', entry, why: `the bypass entry "${entry}" matches "${matchText}"` };
    }
  }
  return { via: 'proxy', proxy: proxy.proxyAddress };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1'; // URL has already written it in its shortest form
  return false;
}

/** The text .NET matches bypass entries against: scheme://host, plus :port when it isn't the scheme's default. */
export function bypassMatchText(url: URL): string {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  return `${scheme}://${url.hostname.toLowerCase()}${url.port ? `:${url.port}` : ''}`;
}
