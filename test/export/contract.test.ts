// The agent exports exactly the metrics of its contract, with the contract's type, help and label names.
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../agent/export/contract.js';
import { AgentMetrics } from '../../agent/export/metrics.js';
import { recordHttp } from '../../agent/probes/http/record.js';

/** Each family's HELP and TYPE, and the label names its samples carry (a histogram's `le` left out). */
function families(text: string): Map<string, { help?: string; type?: string; labelNames: Set<string> }> {
  const out = new Map<string, { help?: string; type?: string; labelNames: Set<string> }>();
  const family = (name: string) => out.get(name) ?? out.set(name, { labelNames: new Set() }).get(name)!;
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) family(meta[2]!)[meta[1] === 'HELP' ? 'help' : 'type'] = meta[3]!;
    const sample = /^([a-z_]+?)(_bucket|_sum|_count)?\{([^}]*)\} /.exec(line);
    if (!sample) continue;
    const name = out.has(sample[1]!) ? sample[1]! : `${sample[1]}${sample[2] ?? ''}`;
    for (const pair of sample[3]!.matchAll(/([a-z_]+)="/g)) if (pair[1] !== 'le') family(name).labelNames.add(pair[1]!);
  }
  return out;
}

describe('metric contract', () => {
  it('is what the agent exports: every metric, its type, help and label names, and nothing else', async () => {
    const metrics = new AgentMetrics();
    // One probe that sets every per-target family: a failure with a reason, TLS facts and a 407's schemes.
    recordHttp(metrics, {
      kind: 'http', target: 'login', endpoint: 'login', route: 'corp', url: 'https://login.microsoftonline.com/', via: 'proxy', startedAt: 1_700_000_000_000,
      success: false, reason: 'tls_intercepted', durationSeconds: 0.2, phases: { dns: 0.01, connect: 0.02, tls: 0.04 }, required: true, proxyAuthSchemes: ['Negotiate'],
      tls: { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', subject: 's', issuer: 'i', validToSeconds: 2_000_000_000, earliestExpirySeconds: 1_900_000_000, chain: [], root: 'other' },
    });
    const exported = families(await metrics.render(false));
    const ours = [...exported.keys()].filter((name) => name.startsWith('entra_connect_'));
    const contract = Object.values(METRICS);
    expect(ours.sort()).toEqual(contract.map((m) => m.name).sort());
    for (const def of contract) {
      expect(exported.get(def.name), def.name).toMatchObject({ type: def.type, help: def.help });
      const live = metrics.registry.getSingleMetric(def.name) as unknown as { labelNames: string[] } | undefined;
      // prom-client's families say their label names; the per-target ones show them on their samples.
      const labelNames = live ? live.labelNames : [...exported.get(def.name)!.labelNames];
      expect(labelNames.sort(), def.name).toEqual([...def.labelNames].sort());
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
