// Name lookups with configured DNS servers (config `dns.servers`): node:dns Resolver queries exactly those servers,
// never the system resolver, and is cancelled with the probe's signal. Without servers, getaddrinfo (the system's
// resolver, /etc/hosts included) is used, as the sync engine would.
import { Resolver } from 'node:dns/promises';

/**
 * Resolves one name (A, then AAAA) with the given servers. Rejects with the resolver's code (ENOTFOUND for
 * NXDOMAIN, ETIMEOUT, ECONNREFUSED...) or when the signal aborts.
 */
export async function resolveWithServers(name: string, servers: readonly string[], signal: AbortSignal, timeoutMs: number): Promise<string> {
  const resolver = new Resolver({ timeout: Math.max(100, Math.min(timeoutMs, 5000)), tries: 1 });
  resolver.setServers([...servers]);
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    try {
      const v4 = await resolver.resolve4(name);
      if (v4[0]) return v4[0];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENODATA') throw err;
    }
    const v6 = await resolver.resolve6(name);
    if (v6[0]) return v6[0];
    throw Object.assign(new Error(`no address for ${name}`), { code: 'ENODATA' });
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
