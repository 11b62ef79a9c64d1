// `explain --run`: the checks it names, run with the current configuration against the lab (a real squid, the fake
// login service), and the CLI wiring (`explain ... --run --config FILE`). Every domain here is fake.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { takeConfigArg } from '../../agent/cli/args.js';
import { runNamedChecks } from '../../agent/run/checks/registry.js';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { runCli } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { fakeLoginService, FAKE_DENIED_HOSTS, FAKE_IDP_HOSTS } from '../lab/login-service.js';
import { freePort } from '../lab/squid.js';

let lab: Lab;
let deadPort: number;

beforeAll(async () => {
  lab = await startLab({ deny: ['provisioningapi.partner.microsoftonline.cn', ...FAKE_DENIED_HOSTS], extraHosts: FAKE_IDP_HOSTS, httpsHandler: fakeLoginService().handler });
  deadPort = await freePort();
});
afterAll(async () => {
  await lab?.stop();
});

function planFor(config: Record<string, unknown>) {
  return buildPlan(parseConfig(stringify({ tls: { caFile: lab.ca.certFile }, probes: { timeoutSeconds: 5 }, routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }], ...config }), 'test.yaml', {}), {});
}

const verdict = async (plan: ReturnType<typeof planFor>, check: string) => (await runNamedChecks(plan, [check]))[0]!;

describe('runNamedChecks', () => {
  it('connectivity_test probes adminwebservice (the article\'s Invoke-WebRequest) over every route', async () => {
    const v = await verdict(planFor({}), 'connectivity_test');
    expect(v).toMatchObject({ check: 'connectivity_test', ok: true });
    expect(v.summary).toContain('adminwebservice via corp-proxy');
  });

  it('endpoint:<id> probes one endpoint; a denied one fails with its reason; an unknown one says so', async () => {
    const plan = planFor({});
    expect((await verdict(plan, 'endpoint:login')).ok).toBe(true);
    const denied = await verdict(plan, 'endpoint:provisioningapi');
    expect(denied.ok).toBe(false);
    expect(denied.summary).toContain('proxy_denied');
    const unknown = await verdict(plan, 'endpoint:no-such-endpoint');
    expect(unknown.ok).toBe(false);
    expect(unknown.summary).toContain('not in the plan');
  });

  it('endpoints fails when a required endpoint fails', async () => {
    const v = await verdict(planFor({}), 'endpoints');
    expect(v.ok).toBe(false);
    expect(v.summary).toContain('provisioningapi via corp-proxy: proxy_denied');
  });

  it('proxy_reachable: TCP to each route\'s proxy', async () => {
    const good = await verdict(planFor({}), 'proxy_reachable');
    expect(good.ok).toBe(true);
    const bad = await verdict(planFor({ routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }, { name: 'dead', proxy: `http://127.0.0.1:${deadPort}` }] }), 'proxy_reachable');
    expect(bad.ok).toBe(false);
    expect(bad.summary).toMatch(/dead \(http:\/\/127\.0\.0\.1:\d+\): cannot be reached \(ECONNREFUSED\)/);
    const none = await verdict(planFor({ routes: [{ name: 'direct' }] }), 'proxy_reachable');
    expect(none).toMatchObject({ ok: true, summary: expect.stringContaining('no route goes through a proxy') });
  });

  it('machine_config: reads each route\'s machine.config, or says no route reads one', async () => {
    expect(await verdict(planFor({}), 'machine_config')).toMatchObject({ ok: true, summary: expect.stringContaining('no route reads machine.config') });
    const fixture = join(__dirname, '..', 'fixtures', 'machineconfig', 'bypass-catches-endpoint.config');
    const v = await verdict(planFor({ routes: [{ name: 'mc', machineConfig: fixture }] }), 'machine_config');
    expect(v.ok).toBe(false);
    expect(v.summary).toContain('bypass_catches_endpoint');
  });

  it('signin_discovery runs discovery for tenant.domain, or says how to give one', async () => {
    const ok = await verdict(planFor({ tenant: { domain: 'admin@fabrikam.cn' } }), 'signin_discovery');
    expect(ok).toEqual({ check: 'signin_discovery', ok: true, summary: 'fabrikam.cn via corp-proxy: Managed, tenant found' });
    const unknown = await verdict(planFor({ tenant: { domain: 'nowhere.fabrikam.cn' } }), 'signin_discovery');
    expect(unknown).toMatchObject({ ok: false, summary: 'nowhere.fabrikam.cn via corp-proxy: unknown_user_type, tenant_not_found' });
    const none = await verdict(planFor({}), 'signin_discovery');
    expect(none.ok).toBe(false);
    expect(none.summary).toContain('check --tenant');
  });

  it('idle is not run here (it takes minutes) and says how to run it', async () => {
    expect(await verdict(planFor({}), 'idle')).toMatchObject({ ok: false, summary: expect.stringContaining('check --idle') });
  });

  it('takeConfigArg takes --config out of explain\'s arguments', () => {
    expect(takeConfigArg(['User realm discovery failed', '--config', 'a.yaml', '--run'])).toEqual({ config: 'a.yaml', rest: ['User realm discovery failed', '--run'] });
    expect(takeConfigArg(['--config=b.yaml', 'x'])).toEqual({ config: 'b.yaml', rest: ['x'] });
  });
});

describe('explain --run --config (the CLI)', () => {
  it('runs the named checks with the configuration and exits 0 when they pass', async () => {
    const config = lab.writeConfig({ tls: { caFile: lab.ca.certFile }, probes: { timeoutSeconds: 5 }, routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }], tenant: { domain: 'fabrikam.cn' } });
    const run = await runCli(['explain', 'User realm discovery failed', '--run', '--config', config]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/ok\s+signin_discovery\s+fabrikam\.cn via corp-proxy: Managed, tenant found/);
    expect(run.stdout).toMatch(/ok\s+proxy_reachable/);
    expect(run.stdout).toContain('All checks passed.');
    expect(run.status).toBe(0);
  });

  it('exits 1 with the failing check named when the proxy is down', async () => {
    const config = lab.writeConfig({ tls: { caFile: lab.ca.certFile }, probes: { timeoutSeconds: 5 }, routes: [{ name: 'dead', proxy: `http://127.0.0.1:${deadPort}` }], tenant: { domain: 'fabrikam.cn' } });
    const run = await runCli(['explain', 'User realm discovery failed', '--run', '--json', '--config', config]);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; results: Array<{ check: string; ok: boolean; summary: string }> };
    expect(report.ok).toBe(false);
    expect(report.results.find((r) => r.check === 'signin_discovery')).toMatchObject({ ok: false, summary: 'fabrikam.cn via dead: realm_discovery_failed' });
    expect(report.results.find((r) => r.check === 'proxy_reachable')?.ok).toBe(false);
  });
});
