// Can this server reach its proxy at all? One finding per unreachable proxy, instead of a failed probe per endpoint.
import { NetError } from '../../net/net-error.js';
import { reachTcp } from '../../net/connector.js';
import type { Route, ProbeSettings } from '../../plan/plan.js';
import { remedyFor } from '../../probes/classify.js';
import type { Check } from './check.js';

/** TCP to the route's proxy within the probe timeout, with the connector's own name resolution and connect. */
export async function proxyReachable(route: Route, settings: Pick<ProbeSettings, 'timeoutMs' | 'resolve' | 'dnsServers'>): Promise<{ ok: true } | { ok: false; code: string }> {
  try {
    await reachTcp(route.proxy!.host, route.proxy!.port, settings, AbortSignal.timeout(settings.timeoutMs));
    return { ok: true };
  } catch (err) {
    return { ok: false, code: err instanceof NetError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'ERROR') };
  }
}

export const proxyReachableCheck: Check = {
  name: 'proxy_reachable',
  title: 'proxy reachable',
  async run(ctx) {
    const check = 'proxy_reachable';
    const { plan } = ctx;
    const proxied = plan.routes.filter((r) => r.proxy);
    if (proxied.length === 0) return { check, ok: true, summary: 'no route goes through a proxy (nothing to reach)' };
    const verdicts = await Promise.all(proxied.map(async (route) => ({ route, got: await proxyReachable(route, plan.settings) })));
    for (const { route, got } of verdicts) {
      const rc = ctx.routeCheck(route.name);
      rc.proxyReachable = got.ok;
      if (got.ok) continue;
      ctx.unreachable.add(route.name);
      const skipped = plan.targets.filter((t) => t.route === route && t.via === 'proxy').length;
      rc.findings.push({
        code: 'proxy_unreachable',
        severity: 'error',
        message: `The proxy ${route.proxyUrl} of route ${route.name} cannot be reached (${got.code}); the ${skipped} endpoints that go through it were not probed.`,
        remedy: remedyFor('proxy_unreachable'),
      });
    }
    return {
      check,
      ok: verdicts.every((v) => v.got.ok),
      summary: verdicts.map((v) => `${v.route.name} (${v.route.proxyUrl}): ${v.got.ok ? 'reachable' : `cannot be reached (${v.got.code})`}`).join('; '),
    };
  },
};
