// Which routes an idle cycle runs over, and which endpoint it holds tunnels to.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { idleTargets } from '../../agent/probes/idle/probe.js';

function plan(config: Record<string, unknown>) {
  return buildPlan(parseConfig(stringify(config), 'test.yaml', {}), {});
}

const routes = [
  { name: 'direct' },
  { name: 'corp', proxy: 'http://proxy.corp.example:8080' },
  { name: 'bypassed', proxy: 'http://proxy.corp.example:8080', bypass: ['*.partner.microsoftonline.cn'] },
  { name: 'other-bypass', proxy: 'http://proxy.corp.example:3128', bypass: ['.example.org'] },
];

describe('idleTargets', () => {
  it('takes the routes that send the export endpoint through a proxy, with the adminwebservice endpoint by default', () => {
    const targets = idleTargets(plan({ routes }));
    expect(targets.map((t) => t.route.name)).toEqual(['corp', 'other-bypass']);
    expect(targets.every((t) => t.endpoint.id === 'adminwebservice')).toBe(true);
    expect(targets[0]!.endpoint.url).toBe('https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc');
  });

  it('uses idle.endpoint when set', () => {
    const [target] = idleTargets(plan({ routes, idle: { endpoint: 'provisioningapi' } }));
    expect(target!.endpoint.id).toBe('provisioningapi');
  });

  it('falls back to the first HTTPS export endpoint when idle.endpoint is not in the plan', () => {
    const p = plan({ routes, catalogue: { exclude: ['adminwebservice'] } });
    const [target] = idleTargets(p);
    const firstExport = p.endpoints.find((e) => e.exports && e.scheme === 'https');
    expect(target!.endpoint).toBe(firstExport);
    expect(target!.endpoint.id).not.toBe('adminwebservice');
  });

  it('has nothing to do on direct routes only', () => {
    expect(idleTargets(plan({ routes: [{ name: 'direct' }] }))).toEqual([]);
  });

  it('follows the cloud: the worldwide export endpoint for cloud global', () => {
    const [target] = idleTargets(plan({ cloud: 'global', routes }));
    expect(target!.endpoint.host).toBe('adminwebservice.microsoftonline.com');
  });
});
