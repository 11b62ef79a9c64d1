// The agent exports exactly the metrics of its contract, with the contract's type, help and label names.
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../agent/export/contract.js';
import { AgentMetrics } from '../../agent/export/metrics.js';

describe('metric contract', () => {
  it('is what the agent registers: every metric, its type, help and label names, and nothing else', async () => {
    const metrics = new AgentMetrics();
    const exported = (await metrics.registry.getMetricsAsJSON()).filter((m) => m.name.startsWith('entra_connect_'));
    const byName = new Map(exported.map((m) => [m.name, m]));
    const contract = Object.values(METRICS);
    expect([...byName.keys()].sort()).toEqual(contract.map((m) => m.name).sort());
    for (const def of contract) {
      const live = metrics.registry.getSingleMetric(def.name) as unknown as { labelNames: string[] } | undefined;
      expect(byName.get(def.name), def.name).toMatchObject({ type: def.type, help: def.help });
      expect(live?.labelNames, def.name).toEqual([...def.labelNames]);
    }
  });

  it('names each metric once, in the entra_connect_ namespace with Prometheus suffixes', () => {
    const names = Object.values(METRICS).map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of Object.values(METRICS)) {
      expect(m.name).toMatch(/^entra_connect_[a-z_]+$/);
      if (m.type === 'counter') expect(m.name, m.name).toMatch(/_total$/);
      else expect(m.name, m.name).not.toMatch(/_total$/);
    }
  });
});
