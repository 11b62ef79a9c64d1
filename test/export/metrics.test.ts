import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { AgentMetrics } from '../../agent/export/metrics.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { prepareHttpSeries, recordHttp } from '../../agent/probes/http/record.js';
import type { ProbeResult } from '../../agent/probes/http/result.js';
import { recordIdle } from '../../agent/probes/idle/record.js';

const plan = (yaml: string) => buildPlan(parseConfig(yaml, 'test.yaml', {}), {});

function result(overrides: Partial<ProbeResult>): ProbeResult {
  return { kind: 'http', target: 'login', endpoint: 'login', route: 'corp', url: 'https://login.partner.microsoftonline.cn/', via: 'proxy', startedAt: 1_700_000_000_000, success: true, durationSeconds: 0.2, phases: { dns: 0.01, connect: 0.02, proxy_connect: 0.03, tls: 0.04, request: 0.05, transfer: 0.05 }, required: true, ...overrides };
}

const line = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

describe('AgentMetrics', () => {
  it('exports only the current failure reason (at 1), and counts failures by reason', async () => {
    const m = new AgentMetrics();
    await m.applyPlan(plan('routes: [{name: corp, proxy: "http://127.0.0.1:3128"}]\n'));
    recordHttp(m, result({ success: false, reason: 'proxy_denied', proxyStatus: 403 }));
    recordHttp(m, result({ success: false, reason: 'timeout' }));
    const text = await m.render(false);
    expect(line(text, 'entra_connect_probe_failure_reason{endpoint="login",route="corp",reason="timeout"}')).toEqual(['entra_connect_probe_failure_reason{endpoint="login",route="corp",reason="timeout"} 1']);
    expect(line(text, 'entra_connect_probe_failure_reason{endpoint="login",route="corp",reason="proxy_denied"}')).toEqual([]);
    expect(line(text, 'entra_connect_probe_failures_total{endpoint="login",route="corp",reason="proxy_denied"}')[0]).toMatch(/ 1$/);
    expect(line(text, 'entra_connect_probes_total{endpoint="login",route="corp"}')[0]).toMatch(/ 2$/);
    expect(line(text, 'entra_connect_probe_proxy_status_code{endpoint="login",route="corp"}')[0]).toMatch(/ 0$/);
  });

  it('drops the phases a probe did not reach', async () => {
    const m = new AgentMetrics();
    recordHttp(m, result({}));
    recordHttp(m, result({ success: false, reason: 'proxy_unreachable', phases: { dns: 0.001, connect: 0.002 } }));
    const text = await m.render(false);
    expect(line(text, 'entra_connect_probe_phase_duration_seconds{').map((l) => /phase="(\w+)"/.exec(l)![1])).toEqual(['dns', 'connect']);
  });

  it('keeps `_total` on counters in the text format after an OpenMetrics render', async () => {
    const m = new AgentMetrics();
    recordHttp(m, result({}));
    const open = await m.render(true);
    expect(open).toContain('# TYPE entra_connect_probes counter');
    expect(open.trimEnd().endsWith('# EOF')).toBe(true);
    const text = await m.render(false);
    expect(text).toContain('# TYPE entra_connect_probes_total counter');
    expect(text).toMatch(/^entra_connect_probes_total\{endpoint="login",route="corp"\} 1$/m);
  });

  it('drops the series of endpoints and routes a new plan no longer has', async () => {
    const m = new AgentMetrics();
    await m.applyPlan(plan('routes: [{name: corp, proxy: "http://127.0.0.1:3128"}, {name: old, proxy: "http://127.0.0.1:3129"}]\n'));
    recordHttp(m, result({ route: 'old' }));
    recordHttp(m, result({ route: 'corp' }));
    // As the daemon applies a new plan: the plan-level series, then each kind's own (the http kind zeroes its counters).
    const next = plan('routes: [{name: corp, proxy: "http://127.0.0.1:3128"}]\ncatalogue: {exclude: [login]}\n');
    await m.applyPlan(next);
    prepareHttpSeries(m, next);
    const text = await m.render(false);
    expect(text).not.toContain('route="old"');
    expect(text).not.toContain('endpoint="login"');
    expect(text).toContain('endpoint="adminwebservice",route="corp"');
  });

  it('never turns remote text into a label value: unknown auth schemes become "other"', async () => {
    const m = new AgentMetrics();
    recordHttp(m, result({ success: false, reason: 'proxy_auth_required', proxyAuthSchemes: ['Basic', 'X-Evil"scheme'] }));
    const text = await m.render(false);
    expect(text).toContain('scheme="Basic"');
    expect(text).toContain('scheme="other"');
    expect(text).not.toContain('Evil');
  });

  it('exports the measured idle timeout while the proxy closes tunnels, and drops it once a cycle passes', async () => {
    const m = new AgentMetrics();
    const base = { kind: 'idle' as const, target: 'adminwebservice', success: false, route: 'corp', endpoint: 'adminwebservice', url: 'https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc', startedAt: 1_700_000_000_000, durationSeconds: 240, requiredSeconds: 300, silentDrop: false };
    recordIdle(m, { ...base, verdict: 'fail', closeSeconds: 120.4, holds: [{ holdSeconds: 60, survived: true }, { holdSeconds: 330, survived: false, closedAfterSeconds: 120.4 }], reason: 'idle_tunnel_closed' });
    let text = await m.render(false);
    expect(text).toContain('entra_connect_proxy_idle_close_seconds{route="corp"} 120.4');
    expect(text).toContain('entra_connect_proxy_idle_survived{route="corp",hold_seconds="330"} 0');
    expect(text).toContain('entra_connect_proxy_idle_runs_total{route="corp",result="fail"} 1');
    recordIdle(m, { ...base, verdict: 'error', holds: [], reason: 'proxy_unreachable' });
    text = await m.render(false);
    expect(text).toContain('entra_connect_proxy_idle_close_seconds{route="corp"} 120.4');
    recordIdle(m, { ...base, verdict: 'pass', holds: [{ holdSeconds: 60, survived: true }, { holdSeconds: 330, survived: true }] });
    text = await m.render(false);
    expect(text).not.toContain('entra_connect_proxy_idle_close_seconds{route="corp"}');
    expect(text).toContain('entra_connect_proxy_idle_survived{route="corp",hold_seconds="330"} 1');
  });
});
