// Sign-in discovery in the agent as a real process: `check --tenant` (JSON, table, exit codes) and the daemon's
// metrics, against the fake login service behind a real squid. Every domain here is fake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, listenPort, runCli, startAgent, type AgentProcess } from '../../lab/agent-process.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { fakeLoginService, FAKE_DENIED_HOSTS, FAKE_IDP_HOSTS, TID_FABRIKAM } from '../../lab/login-service.js';
import { freePort, waitFor } from '../../lab/squid.js';

let lab: Lab;
let configFile: string;

beforeAll(async () => {
  lab = await startLab({ deny: FAKE_DENIED_HOSTS, extraHosts: FAKE_IDP_HOSTS, httpsHandler: fakeLoginService().handler });
  configFile = lab.writeConfig({
    cloud: 'china',
    listen: '127.0.0.1:0',
    tls: lab.tls,
    routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
    probes: { timeoutSeconds: 5 },
    idle: { enabled: false },
  });
});
afterAll(async () => {
  await lab?.stop();
});

type SignInJson = { route: string; domain: string; namespaceType: string | null; cloudInstanceName: string | null; tenantId: string | null; tenantFound: boolean | null; authUrl: string | null; findings: Array<{ code: string; severity: string; message: string; remedy: string }> };

async function checkJson(tenant: string, config = configFile) {
  const run = await runCli(['check', '--config', config, '--json', '--tenant', tenant]);
  const report = JSON.parse(run.stdout) as { signIn: SignInJson[] };
  return { status: run.status, stderr: run.stderr, signIn: report.signIn };
}

describe('check --tenant', () => {
  it('--json adds signIn per route; a managed domain passes (exit 0)', async () => {
    const { status, signIn, stderr } = await checkJson('admin@fabrikam.cn');
    expect(stderr).toBe('');
    expect(signIn).toHaveLength(1);
    expect(signIn[0]).toMatchObject({ route: 'corp-proxy', domain: 'fabrikam.cn', namespaceType: 'Managed', cloudInstanceName: 'partner.microsoftonline.cn', tenantId: TID_FABRIKAM, tenantFound: true, authUrl: null, findings: [] });
    expect(status).toBe(0);
  });

  it.each([
    ['nowhere.fabrikam.cn', ['unknown_user_type', 'tenant_not_found']],
    ['contoso.com', ['wrong_cloud']],
    ['lostidp.fabrikam.cn', ['federation_unreachable']],
    ['blocked.fabrikam.cn', ['unexpected_response']],
    ['someone@outlook.com', ['microsoft_account']],
    ['orphan.fabrikam.cn', ['tenant_not_found']],
  ])('%s: findings %j, exit 1', async (tenant, expected) => {
    const { status, signIn } = await checkJson(tenant);
    expect(signIn[0]!.findings.map((f) => f.code)).toEqual(expected);
    for (const f of signIn[0]!.findings) expect(f.severity).toBe('error');
    expect(status).toBe(1);
  });

  it('realm_discovery_failed over an unreachable proxy', async () => {
    const closed = await freePort();
    const config = lab.writeConfig({ cloud: 'china', tls: lab.tls, routes: [{ name: 'dead-proxy', proxy: `http://127.0.0.1:${closed}` }], catalogue: { exclude: [] }, probes: { timeoutSeconds: 5 } });
    const { status, signIn } = await checkJson('fabrikam.cn', config);
    expect(signIn[0]!.findings.map((f) => f.code)).toEqual(['realm_discovery_failed']);
    expect(signIn[0]!.findings[0]!.message).toContain('proxy_unreachable');
    expect(status).toBe(1);
  });

  it('the table form says the same in plain words', async () => {
    const fed = await runCli(['check', '--config', configFile, '--tenant', 'fed.fabrikam.cn']);
    expect(fed.stdout).toContain('Sign-in discovery for fed.fabrikam.cn, route corp-proxy, on login.partner.microsoftonline.cn: OK');
    expect(fed.stdout).toContain('a federated domain (sign-in goes to sts.fabrikam.cn, WSTrust)');
    expect(fed.stdout).toContain(`tenant found (tenant id ${TID_FABRIKAM})`);
    expect(fed.status).toBe(0);
    const unknown = await runCli(['check', '--config', configFile, '--tenant', 'nowhere.fabrikam.cn']);
    expect(unknown.stdout).toContain('FAIL');
    expect(unknown.stdout).toContain('ERROR unknown_user_type: Unknown user type');
    expect(unknown.stdout).toContain('What to do:');
    expect(unknown.stdout).toContain('Sign-in discovery over 1 route: 2 error findings.');
    expect(unknown.status).toBe(1);
  });

  it('a bad --tenant is bad input (exit 2)', async () => {
    const run = await runCli(['check', '--config', configFile, '--tenant', 'not a domain']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--tenant');
  });

  it('without a tenant, no signIn in the JSON', async () => {
    const run = await runCli(['check', '--config', configFile, '--json']);
    expect(JSON.parse(run.stdout)).not.toHaveProperty('signIn');
  });
});

describe('the daemon with tenant.domain', () => {
  let agent: AgentProcess;
  let base: string;
  afterAll(async () => {
    await agent?.stop();
  });

  it('exports the sign-in metrics with closed label sets', async () => {
    const config = lab.writeConfig({
      cloud: 'china',
      listen: '127.0.0.1:0',
      tls: lab.tls,
      routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      probes: { schedule: '0 0 1 1 *', timeoutSeconds: 5 },
      idle: { enabled: false },
      tenant: { domain: 'admin@fed.fabrikam.cn' },
    });
    agent = startAgent(['--config', config]);
    base = `http://127.0.0.1:${await listenPort(agent)}`;
    let metrics = '';
    await waitFor(async () => {
      metrics = (await httpGet(`${base}/metrics`)).body;
      return /entra_connect_tenant_found\{[^}]*\} 1/.test(metrics);
    }, 30_000, 'the first sign-in discovery');
    const labels = 'route="corp-proxy",domain="fed.fabrikam.cn"';
    expect(metrics).toContain(`entra_connect_signin_discovery_success{${labels}} 1`);
    expect(metrics).toContain(`entra_connect_signin_realm_info{${labels},namespace_type="Federated",cloud_instance="partner.microsoftonline.cn"} 1`);
    expect(metrics).toContain(`entra_connect_tenant_found{${labels}} 1`);
    for (const step of ['realm', 'tenant', 'federation']) expect(metrics).toMatch(new RegExp(`entra_connect_signin_step_duration_seconds\\{${labels},step="${step}"\\} [0-9.e-]+`));
    expect(metrics).toContain(`entra_connect_signin_finding{${labels},code="federation_unreachable"} 0`);
    expect(metrics).not.toContain('admin@');
  });
});
