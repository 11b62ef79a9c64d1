// The per-target series kept in columns: what the exposition shows for each family, slots freed and reused, the
// exposition in chunks, and its text read by Prometheus's own parser (promtool).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../agent/export/contract.js';
import { EXPOSITION_CHUNK_CHARS, TargetHistogram, TargetLabels, TargetTable, TargetValues } from '../../agent/export/targets.js';

function table() {
  const t = new TargetTable();
  return {
    t,
    success: t.add(new TargetValues(METRICS.success)),
    phase: t.add(new TargetValues(METRICS.phase, 'phase')),
    failures: t.add(new TargetValues(METRICS.failures, 'reason')),
    scheme: t.add(new TargetLabels(METRICS.authScheme, 'scheme')),
    latency: t.add(new TargetHistogram(METRICS.latency, [0.1, 1])),
  };
}

const text = (t: TargetTable, openMetrics = false) => [...t.exposition(openMetrics)].join('');
const samples = (s: string) => s.split('\n').filter((l) => l && !l.startsWith('#'));

describe('per-target series', () => {
  it('shows a series only once it is set, each closed label value as its own series, and cumulative histogram buckets', () => {
    const { t, success, phase, failures, scheme, latency } = table();
    const a = t.slot('login', 'corp');
    expect(samples(text(t))).toEqual([]);
    success.set(a, 1);
    phase.set(a, 0.25, 'tls');
    failures.zero(a, 'dns');
    failures.inc(a, 1, 'timeout');
    failures.inc(a, 1, 'timeout');
    scheme.set(a, ['Negotiate', 'NTLM', 'Negotiate']);
    latency.observe(a, 0.05);
    latency.observe(a, 0.5);
    latency.observe(a, 3);
    expect(samples(text(t))).toEqual([
      'entra_connect_probe_success{endpoint="login",route="corp"} 1',
      'entra_connect_probe_phase_duration_seconds{endpoint="login",route="corp",phase="tls"} 0.25',
      'entra_connect_probe_failures_total{endpoint="login",route="corp",reason="dns"} 0',
      'entra_connect_probe_failures_total{endpoint="login",route="corp",reason="timeout"} 2',
      'entra_connect_probe_proxy_auth_scheme_info{endpoint="login",route="corp",scheme="Negotiate"} 1',
      'entra_connect_probe_proxy_auth_scheme_info{endpoint="login",route="corp",scheme="NTLM"} 1',
      'entra_connect_probe_latency_seconds_bucket{endpoint="login",route="corp",le="0.1"} 1',
      'entra_connect_probe_latency_seconds_bucket{endpoint="login",route="corp",le="1"} 2',
      'entra_connect_probe_latency_seconds_bucket{endpoint="login",route="corp",le="+Inf"} 3',
      'entra_connect_probe_latency_seconds_sum{endpoint="login",route="corp"} 3.55',
      'entra_connect_probe_latency_seconds_count{endpoint="login",route="corp"} 3',
    ]);
    phase.remove(a, 'tls');
    scheme.set(a, []);
    expect(text(t)).not.toMatch(/phase="tls"|scheme=/);
  });

  it('drops a gone target\'s series and gives its slot to the next target, which starts empty', () => {
    const { t, success, failures } = table();
    const a = t.slot('login', 'corp');
    const b = t.slot('login', 'old');
    success.set(a, 1);
    success.set(b, 0);
    failures.inc(b, 5, 'dns');
    t.dropWhere((_endpoint, route) => route === 'old');
    expect(t.size).toBe(1);
    expect(text(t)).not.toContain('route="old"');
    const c = t.slot('graph', 'corp');
    expect(c).toBe(b);
    expect(failures.get(c, 'dns')).toBeUndefined();
    expect(samples(text(t))).toEqual(['entra_connect_probe_success{endpoint="login",route="corp"} 1']);
    expect(t.slot('login', 'corp')).toBe(a);
  });

  it('keeps values when it grows past its first slots, and writes the exposition in chunks of about 64 KiB', () => {
    const { t, success, latency } = table();
    for (let i = 0; i < 2000; i++) {
      const slot = t.slot(`endpoint-${i}`, 'corp');
      success.set(slot, i % 2);
      latency.observe(slot, i / 1000);
    }
    const chunks = [...t.exposition(false)];
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(EXPOSITION_CHUNK_CHARS);
      expect(chunk.length).toBeLessThan(EXPOSITION_CHUNK_CHARS + 1024);
      expect(chunk.endsWith('\n')).toBe(true);
    }
    const all = chunks.join('');
    expect(all).toContain('entra_connect_probe_success{endpoint="endpoint-0",route="corp"} 0\n');
    expect(all).toContain('entra_connect_probe_success{endpoint="endpoint-1999",route="corp"} 1\n');
    expect(samples(all).filter((l) => l.startsWith('entra_connect_probe_latency_seconds_count{'))).toHaveLength(2000);
  });

  it('escapes label values, and names counter families without _total in OpenMetrics', () => {
    const { t, success, failures } = table();
    const a = t.slot('odd"name\\x', 'corp\nroute');
    success.set(a, Number.POSITIVE_INFINITY);
    failures.inc(a, 1, 'dns');
    const plain = text(t);
    expect(plain).toContain('entra_connect_probe_success{endpoint="odd\\"name\\\\x",route="corp\\nroute"} +Inf');
    expect(plain).toContain('# TYPE entra_connect_probe_failures_total counter');
    const open = text(t, true);
    expect(open).toContain('# TYPE entra_connect_probe_failures counter');
    expect(open).toContain('entra_connect_probe_failures_total{');
    expect(open.split('\n').slice(0, -1)).not.toContain('');
  });

  it('is text that Prometheus\'s own parser accepts (promtool check metrics)', () => {
    const { t, success, phase, failures, scheme, latency } = table();
    for (const [endpoint, route] of [['login', 'corp'], ['graph', 'corp'], ['login', 'direct']] as const) {
      const slot = t.slot(endpoint, route);
      success.set(slot, 1);
      phase.set(slot, 0.01, 'dns');
      failures.zero(slot, 'timeout');
      scheme.set(slot, 'Basic');
      latency.observe(slot, 0.2);
    }
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text(t).trimStart(), encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    // 0: parsed, and nothing for its linter to say either (1 is a parse error, 3 a lint finding).
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  });
});
