// Issue 4 end to end: routes built from machine.config, proxy authentication, direct versus proxy, and `check`
// following the article's order — all through a real squid on loopback.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCheck } from '../../agent/run/checks/registry.js';
import { parseConfig } from '../../agent/config/config.js';
import { AgentMetrics } from '../../agent/export/metrics.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { probeHttp } from '../../agent/probes/http/probe.js';
import { httpGet, listenPort, runCli, startAgent } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { freePort, startSquid, waitFor } from '../lab/squid.js';

const PASSWORD = 'Sync-Passw0rd!never-log-me';
let lab: Lab;
let passwordFile: string;
let wrongPasswordFile: string;

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'machineconfig', name), 'utf8');

/** The Fabrikam fixture with its proxy address pointed at a loopback proxy, and an optional bypass list. */
function machineConfig(proxy: string, bypass: string[] = []): string {
  const list = bypass.length ? `<bypasslist>${bypass.map((b) => `<add address="${b}"/>`).join('')}</bypasslist>` : '';
  const text = fixture('valid-with-proxy.config')
    .replace('http://fabrikamproxy:8080', proxy)
    .replace('</defaultProxy>', `${list}</defaultProxy>`);
  const file = join(lab.dir, `machine-${Math.random().toString(36).slice(2)}.config`);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  lab = await startLab({ deny: ['provisioningapi.partner.microsoftonline.cn'], users: { 'FABRIKAM\\svc-sync': PASSWORD } });
  passwordFile = join(lab.dir, 'pw');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  wrongPasswordFile = join(lab.dir, 'wrong-pw');
  writeFileSync(wrongPasswordFile, 'not-the-password\n');
});
afterAll(async () => lab?.stop());

function plan(config: Record<string, unknown>) {
  return buildPlan(parseConfig(stringify({ tls: { caFile: lab.ca.certFile }, ...config }), 'test.yaml', {}), {});
}

describe('a route from machine.config', () => {
  it('probes through the proxyaddress, and goes direct where the bypass list says', async () => {
    const file = machineConfig(`http://127.0.0.1:${lab.squid.port}`, ['crl\\.microsoft\\.com']);
    const p = plan({ routes: [{ name: 'machine', machineConfig: file }], resolve: { 'crl.microsoft.com': lab.address } });
    const login = p.targets.find((t) => t.endpoint.id === 'login')!;
    const crl = p.targets.find((t) => t.endpoint.id === 'microsoft-crl')!;
    expect(login.via).toBe('proxy');
    expect(crl.via).toBe('direct');
    const viaProxy = await probeHttp(login, p.settings);
    expect(viaProxy).toMatchObject({ success: true, via: 'proxy', proxyStatus: 200 });
    const direct = await probeHttp(crl, p.settings);
    expect(direct).toMatchObject({ success: true, via: 'direct' });
    expect(direct.phases.proxy_connect).toBeUndefined();
    expect(p.routes[0]!.machineConfig!.findings.map((f) => f.code)).toContain('bypass_catches_endpoint');
  });

  it('exports machine.config info and its problem count', async () => {
    const file = machineConfig(`http://127.0.0.1:${lab.squid.port}`, ['crl\\.microsoft\\.com']);
    const metrics = new AgentMetrics();
    await metrics.applyPlan(plan({ routes: [{ name: 'machine', machineConfig: file }] }));
    const text = await metrics.render(false);
    expect(text).toContain(`entra_connect_machine_config_info{route="machine",path="${file}",proxy_address="http://127.0.0.1:${lab.squid.port}",use_default_credentials="true",bypass_on_local="false"} 1`);
    expect(text).toMatch(/entra_connect_machine_config_problems\{route="machine"\} [1-9]/);
  });

  it('check --json carries a machineConfig object with the findings', async () => {
    const file = machineConfig('fabrikamproxy');
    const config = lab.writeConfig({ tls: { caFile: lab.ca.certFile }, routes: [{ name: 'machine', machineConfig: file }], catalogue: { exclude: ['appinsights'] }, resolve: Object.fromEntries(Object.keys(lab.hosts).map((h) => [h, lab.address])) });
    const run = await runCli(['check', '--config', config, '--json']);
    const report = JSON.parse(run.stdout) as { routes: Array<{ route: string; machineConfig: { path: string; proxyAddress: string | null; findings: Array<{ code: string; message: string; remedy: string }> } }> };
    const mc = report.routes[0]!.machineConfig;
    expect(mc.path).toBe(file);
    expect(mc.proxyAddress).toBeNull();
    expect(mc.findings.map((f) => f.code)).toContain('proxy_address_invalid');
    for (const f of mc.findings) expect(f.remedy).toMatch(/machine\.config/);
    expect(run.status).toBe(1);
  });
});

describe('a machine.config that changes', () => {
  it('is read again by the running agent: metrics and probes follow the new proxy', async () => {
    const file = machineConfig(`http://127.0.0.1:${lab.squid.port}`);
    const config = lab.writeConfig({ listen: '127.0.0.1:0', tls: { caFile: lab.ca.certFile }, routes: [{ name: 'machine', machineConfig: file }], probes: { schedule: '* * * * * *', timeoutSeconds: 3 }, idle: { enabled: false } });
    const agent = startAgent(['--config', config]);
    try {
      const base = `http://127.0.0.1:${await listenPort(agent)}`;
      const metrics = async () => (await httpGet(`${base}/metrics`)).body;
      await waitFor(async () => (await metrics()).includes(`proxy_address="http://127.0.0.1:${lab.squid.port}"`), 10_000, 'the first proxy address');
      // The admin points machine.config at the proxy port that wants authentication.
      writeFileSync(file, readFileSync(file, 'utf8').replace(`127.0.0.1:${lab.squid.port}`, `127.0.0.1:${lab.squid.authPort}`));
      await waitFor(async () => {
        const text = await metrics();
        return text.includes(`proxy_address="http://127.0.0.1:${lab.squid.authPort}"`) && /entra_connect_probe_proxy_status_code\{endpoint="login",route="machine"\} 407/.test(text);
      }, 10_000, 'the new proxy address and its 407');
      expect(await metrics()).not.toContain(`proxy_address="http://127.0.0.1:${lab.squid.port}"`);
      expect(agent.logs().some((l) => l.msg === 'machine.config changed: its proxy settings are read again')).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});

describe('proxy authentication', () => {
  it('a 407 offers Basic; credentials from a file pass; a wrong password gets 407 again; the password is never shown', async () => {
    const proxy = `http://127.0.0.1:${lab.squid.authPort}`;
    const p = plan({
      routes: [
        { name: 'anonymous', proxy },
        { name: 'with-creds', proxy, credentials: { username: 'FABRIKAM\\svc-sync', passwordFile } },
        { name: 'wrong-creds', proxy, credentials: { username: 'FABRIKAM\\svc-sync', passwordFile: wrongPasswordFile } },
      ],
    });
    const probe = (route: string) => probeHttp(p.targets.find((t) => t.endpoint.id === 'login' && t.route.name === route)!, p.settings);
    const anonymous = await probe('anonymous');
    expect(anonymous).toMatchObject({ reason: 'proxy_auth_required', proxyStatus: 407, proxyAuthSchemes: ['Basic'] });
    expect(anonymous.detail).toContain('no credentials are configured');
    const withCreds = await probe('with-creds');
    // scheme auto: Basic only once the proxy asked for it (407, then the credentials: one leg).
    expect(withCreds, withCreds.detail).toMatchObject({ success: true, proxyStatus: 200, authScheme: 'Basic', authLegs: 1 });
    const wrong = await probe('wrong-creds');
    expect(wrong).toMatchObject({ reason: 'proxy_auth_refused', proxyStatus: 407, authScheme: 'Basic' });
    expect(wrong.detail).toContain('the proxy refused the Basic credentials');
    // The HTTP (CRL) path sends the credentials on an absolute-form GET.
    const crl = await probeHttp(p.targets.find((t) => t.endpoint.id === 'digicert-crl3' && t.route.name === 'with-creds')!, p.settings);
    expect(crl).toMatchObject({ success: true, httpStatus: 200 });

    const config = lab.writeConfig({ tls: { caFile: lab.ca.certFile }, routes: p.config.routes, log: { level: 'trace' } });
    const run = await runCli(['check', '--config', config, '--json']);
    const text = await runCli(['check', '--config', config]);
    const encoded = Buffer.from(`FABRIKAM\\svc-sync:${PASSWORD}`).toString('base64');
    for (const output of [run.stdout, run.stderr, text.stdout, text.stderr, JSON.stringify(p), JSON.stringify([anonymous, wrong])]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(encoded);
    }
  });
});

describe('a proxy that closes the connection after its 407', () => {
  it('gets the Basic answer on a new connection, for CONNECT and for the absolute-form GET', async () => {
    const closing = await startSquid({ hosts: lab.hosts, users: { 'FABRIKAM\\svc-sync': PASSWORD }, extraConfig: ['client_persistent_connections off'] });
    try {
      const p = plan({ routes: [{ name: 'closing', proxy: `http://127.0.0.1:${closing.authPort}`, credentials: { username: 'FABRIKAM\\svc-sync', passwordFile } }] });
      for (const id of ['login', 'digicert-crl3']) {
        const r = await probeHttp(p.targets.find((t) => t.endpoint.id === id)!, p.settings);
        expect(r, `${id}: ${r.detail}`).toMatchObject({ success: true, authScheme: 'Basic', authLegs: 1 });
        expect(r.phases.proxy_auth).toBeGreaterThan(0);
      }
    } finally {
      await closing.stop();
    }
  });
});

describe('a proxy that offers Windows integrated authentication only', () => {
  it('is detected from a real squid\'s NTLM challenge and explained when the route has no credentials; with a domain account NTLM passes, with a warning', async () => {
    const ntlm = await startSquid({ hosts: lab.hosts, ntlmOnly: true });
    try {
      const proxy = `http://127.0.0.1:${ntlm.authPort}`;
      const p = plan({ routes: [{ name: 'ntlm', proxy }, { name: 'ntlm-creds', proxy, credentials: { username: 'FABRIKAM\\svc-sync', passwordFile } }] });
      const none = await probeHttp(p.targets.find((t) => t.endpoint.id === 'login' && t.route.name === 'ntlm')!, p.settings);
      expect(none).toMatchObject({ reason: 'proxy_auth_required', proxyStatus: 407, proxyAuthSchemes: ['NTLM'] });
      expect(none.detail).toContain('no credentials are configured for this route (the proxy offers NTLM)');
      expect(none.detail).toContain('useDefaultCredentials');
      const withCreds = await probeHttp(p.targets.find((t) => t.endpoint.id === 'login' && t.route.name === 'ntlm-creds')!, p.settings);
      expect(withCreds, withCreds.detail).toMatchObject({ success: true, authScheme: 'NTLM', authLegs: 2 });
      expect(withCreds.findings?.map((f) => f.code)).toEqual(['proxy_ntlm_only']);
    } finally {
      await ntlm.stop();
    }
  });
});

describe('check follows the article\'s order', () => {
  it('an unreachable proxy is one finding, not a failed probe per endpoint', async () => {
    const closed = await freePort();
    const p = plan({ routes: [{ name: 'gone', proxy: `http://127.0.0.1:${closed}` }, { name: 'corp', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const outcome = await runCheck(p);
    const gone = outcome.routes.find((r) => r.route === 'gone')!;
    expect(gone.proxyReachable).toBe(false);
    expect(gone.findings).toHaveLength(1);
    expect(gone.findings[0]).toMatchObject({ code: 'proxy_unreachable', severity: 'error' });
    expect(gone.findings[0]!.message).toContain('ECONNREFUSED');
    expect(outcome.results.filter((r) => r.route === 'gone')).toHaveLength(0);
    expect(outcome.results.filter((r) => r.route === 'corp').length).toBe(p.endpoints.length);
    // The connectivity test URL comes first.
    expect(outcome.results[0]!.endpoint).toBe('adminwebservice');
  });

  it('names direct-only, proxy-only and neither when an endpoint is probed both ways', async () => {
    const nothingListens = '127.3.2.1';
    const p = plan({
      routes: [{ name: 'direct' }, { name: 'corp', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      catalogue: { exclude: ['appinsights'] },
      resolve: { ...Object.fromEntries(Object.keys(lab.hosts).map((h) => [h, lab.address])), 'login.partner.microsoftonline.cn': nothingListens },
      probes: { timeoutSeconds: 3 },
    });
    const outcome = await runCheck(p);
    const situation = (id: string) => outcome.situations.find((s) => s.endpoint === id)!;
    expect(situation('provisioningapi').situation).toBe('direct_only');
    expect(situation('provisioningapi').message).toContain('403');
    expect(situation('login').situation).toBe('proxy_only');
    expect(situation('login').message).toContain('Unable to connect to the remote server');
    expect(situation('adminwebservice').situation).toBe('both');
  });
});
