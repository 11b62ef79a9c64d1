// machine.config, first in the article's order: what the sync engine's own proxy settings say, before any probe.
import type { Check } from './check.js';

export const machineConfigCheck: Check = {
  name: 'machine_config',
  title: 'machine.config',
  async run(ctx) {
    const check = 'machine_config';
    const routes = ctx.plan.routes.filter((r) => r.machineConfig);
    for (const route of routes) {
      const mc = route.machineConfig!;
      const rc = ctx.routeCheck(route.name);
      rc.machineConfig = { path: mc.path, proxyAddress: route.proxyUrl ?? null, findings: mc.findings };
      rc.findings.push(...mc.findings);
    }
    if (routes.length === 0) return { check, ok: true, summary: 'no route reads machine.config (set routes[].machineConfig to check one)' };
    const parts = routes.map((r) => {
      const { path, findings } = r.machineConfig!;
      return findings.length === 0 ? `${path}: no problems` : `${path}: ${findings.map((f) => `${f.severity} ${f.code}`).join(', ')}`;
    });
    const ok = routes.every((r) => r.machineConfig!.findings.every((f) => f.severity !== 'error'));
    return { check, ok, summary: parts.join('; ') };
  },
};
