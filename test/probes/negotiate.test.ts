// Negotiate (Kerberos) through a real squid (negotiate_kerberos_auth) against a real MIT KDC on loopback: the
// service account's keytab passes the proxy on every probe kind; no credentials, a principal the KDC does not know,
// an SPN without a key and a proxy holding a stale key are each named by code; the proxy_auth phase is timed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { probeHttp } from '../../agent/probes/http/probe.js';
import { measureIdle } from '../../agent/probes/idle/probe.js';
import { discoverSignIn } from '../../agent/probes/signin/probe.js';
import { PHASES } from '../../agent/net/types.js';
import { startKdc, type Kdc } from '../lab/kdc.js';
import { startLab, type Lab } from '../lab/lab.js';
import { fakeLoginService } from '../lab/login-service.js';
import { startSquid, type Squid } from '../lab/squid.js';
import { httpGet, listenPort, runCli, startAgent } from '../lab/agent-process.js';
import { waitFor } from '../lab/squid.js';
import { parse as parseYaml } from 'yaml';

let kdc: Kdc;
let lab: Lab;
let stale: Squid;
let svcKeytab: string;
let ghostKeytab: string;
let cacheCount = 0;

beforeAll(async () => {
  kdc = await startKdc();
  const proxyKeytab = join(kdc.dir, 'proxy.keytab');
  kdc.addPrincipal('HTTP/localhost', proxyKeytab);
  svcKeytab = join(kdc.dir, 'svc.keytab');
  kdc.addPrincipal('svc', svcKeytab);
  // A keytab whose principal is then removed from the KDC: a principal the KDC does not know.
  ghostKeytab = join(kdc.dir, 'ghost.keytab');
  kdc.addPrincipal('ghost', ghostKeytab);
  kdc.deletePrincipal('ghost');
  // A proxy whose keytab is older than its key in the KDC (re-keyed since): it cannot read the tickets it gets.
  const staleKeytab = join(kdc.dir, 'stale.keytab');
  kdc.addPrincipal('HTTP/stale.localhost', staleKeytab);
  kdc.exportKeytab('HTTP/stale.localhost', join(kdc.dir, 'stale-new.keytab'));
  process.env.KRB5_CONFIG = kdc.krb5Conf;
  const service = fakeLoginService();
  lab = await startLab({ authSchemes: ['negotiate'], kerberos: { krb5Conf: kdc.krb5Conf, keytab: proxyKeytab, principal: `HTTP/localhost@${kdc.realm}` }, httpsHandler: service.handler });
  stale = await startSquid({ hosts: lab.hosts, authSchemes: ['negotiate'], kerberos: { krb5Conf: kdc.krb5Conf, keytab: staleKeytab, principal: `HTTP/stale.localhost@${kdc.realm}` } });
});
afterAll(async () => {
  await stale?.stop();
  await lab?.stop();
  await kdc?.stop();
});

/** A plan with one route through the Negotiate proxy, in a ticket cache of its own (so scenarios never share tickets). */
function planWith(credentials: Record<string, unknown> | undefined, port = lab.squid.authPort) {
  process.env.KRB5CCNAME = `MEMORY:negotiate-test-${++cacheCount}`;
  delete process.env.KRB5_CLIENT_KTNAME;
  const config = { tls: lab.tls, probes: { timeoutSeconds: 5 }, resolve: { localhost: '127.0.0.1' }, routes: [{ name: 'corp', proxy: `http://localhost:${port}`, ...(credentials ? { credentials } : {}) }] };
  return buildPlan(parseConfig(stringify(config), 'test.yaml', {}), {});
}

const probe = (p: ReturnType<typeof planWith>, endpoint = 'login') => probeHttp(p.targets.find((t) => t.endpoint.id === endpoint)!, p.settings);

describe('Negotiate (Kerberos) through squid with a real KDC', () => {
  it('passes CONNECT with the service account\'s keytab: one token after the 407, proxy_auth timed, phases sum to the total', async () => {
    const p = planWith({ scheme: 'negotiate', keytab: svcKeytab, principal: `svc@${kdc.realm}` });
    const r = await probe(p);
    expect(r, r.detail).toMatchObject({ success: true, proxyStatus: 200, authScheme: 'Negotiate', authLegs: 1 });
    expect(r.phases.proxy_auth).toBeGreaterThan(0);
    const sum = PHASES.reduce((acc, phase) => acc + (r.phases[phase] ?? 0), 0);
    expect(Math.abs(sum - r.durationSeconds)).toBeLessThan(1e-6);
  });

  it('auto picks Negotiate from a Negotiate-only proxy, and the absolute-form GET (CRL) authenticates too', async () => {
    const p = planWith({ keytab: svcKeytab });
    const r = await probe(p);
    expect(r, r.detail).toMatchObject({ success: true, authScheme: 'Negotiate' });
    const crl = await probe(p, 'digicert-crl3');
    expect(crl, crl.detail).toMatchObject({ success: true, httpStatus: 200, authScheme: 'Negotiate', authLegs: 1 });
    expect(crl.phases.proxy_auth).toBeGreaterThan(0);
  });

  it('holds an authenticated idle tunnel and asks over it after the hold', async () => {
    const p = planWith({ scheme: 'negotiate', keytab: svcKeytab });
    const endpoint = p.endpoints.find((e) => e.id === 'adminwebservice')!;
    const idle = await measureIdle(p.routes[0]!, endpoint, p.settings, { holdSeconds: [0.5, 1.5], requiredSeconds: 1 });
    expect(idle, idle.detail).toMatchObject({ verdict: 'pass' });
    expect(idle.holds.every((h) => h.survived && h.httpStatus === 200)).toBe(true);
  });

  it('runs sign-in discovery through the authenticated hop', async () => {
    const p = planWith({ scheme: 'negotiate', keytab: svcKeytab });
    const s = await discoverSignIn(p.routes[0]!, 'china', 'fabrikam.cn', p.settings);
    expect(s.success, JSON.stringify(s.steps)).toBe(true);
    expect(s.steps[0]).toMatchObject({ via: 'proxy', answered: true, proxyStatus: 200 });
    expect(s.steps[0]!.phases.proxy_auth).toBeGreaterThan(0);
  });

  it('names no Kerberos credentials: no ticket and no keytab; a keytab that cannot be read', async () => {
    const none = await probe(planWith({ scheme: 'negotiate' }));
    expect(none).toMatchObject({ success: false, reason: 'proxy_auth_no_credentials', proxyStatus: 407, authScheme: 'Negotiate' });
    expect(none.detail).toContain('GSS_S_NO_CRED');
    const unreadable = await probe(planWith({ scheme: 'negotiate', keytab: join(kdc.dir, 'missing.keytab') }));
    expect(unreadable).toMatchObject({ reason: 'proxy_auth_no_credentials' });
    expect(unreadable.detail).toContain('ENOENT');
  });

  it('names an expired ticket in the cache as no Kerberos credentials', async () => {
    // A ticket cache of the service account whose ticket lived 2 s, then ran out: what a service finds when its
    // tickets were got once and never renewed.
    const cache = `FILE:${join(kdc.dir, 'expired.ccache')}`;
    execFileSync('kinit', ['-l', '2s', '-k', '-t', svcKeytab, '-c', cache, `svc@${kdc.realm}`], { env: { ...process.env, KRB5_CONFIG: kdc.krb5Conf }, stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const p = planWith({ scheme: 'negotiate' });
    process.env.KRB5CCNAME = cache;
    const r = await probe(p);
    expect(r).toMatchObject({ success: false, reason: 'proxy_auth_no_credentials', proxyStatus: 407, authScheme: 'Negotiate' });
    expect(r.detail).toMatch(/expired \((GSS_S_CREDENTIALS_EXPIRED|KRB5KRB_AP_ERR_TKT_EXPIRED)\)/);
  });

  it('names a principal the KDC does not know as refused credentials', async () => {
    const r = await probe(planWith({ scheme: 'negotiate', keytab: ghostKeytab }));
    expect(r).toMatchObject({ reason: 'proxy_auth_refused' });
    expect(r.detail).toContain('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN');
  });

  it('names an SPN the KDC has no key for, with the SPN to register', async () => {
    const r = await probe(planWith({ scheme: 'negotiate', keytab: svcKeytab, spn: 'HTTP@nokey.localhost' }));
    expect(r).toMatchObject({ reason: 'proxy_auth_spn_unknown' });
    expect(r.detail).toContain('HTTP/nokey.localhost');
    expect(r.remedy).toContain('HTTP/<proxy FQDN>');
  });

  it('names a proxy that cannot accept the ticket (its key is stale) as credentials refused', async () => {
    const r = await probe(planWith({ scheme: 'negotiate', keytab: svcKeytab, spn: 'HTTP@stale.localhost' }, stale.authPort));
    expect(r).toMatchObject({ reason: 'proxy_auth_refused', proxyStatus: 407, authScheme: 'Negotiate', authLegs: 1 });
  });

  it('a machine.config route with useDefaultCredentials="true" signs in with the process\'s own Kerberos identity', async () => {
    const file = join(lab.dir, 'machine.config');
    writeFileSync(file, readFileSync(join(__dirname, '..', 'fixtures', 'machineconfig', 'valid-with-proxy.config'), 'utf8').replace('http://fabrikamproxy:8080', `http://localhost:${lab.squid.authPort}`));
    process.env.KRB5CCNAME = `MEMORY:negotiate-test-${++cacheCount}`;
    // The process's identity: what kinit or a service's keytab gives it, here MIT's client keytab variable.
    process.env.KRB5_CLIENT_KTNAME = svcKeytab;
    try {
      const p = buildPlan(parseConfig(stringify({ tls: lab.tls, resolve: { localhost: '127.0.0.1' }, routes: [{ name: 'machine', machineConfig: file }] }), 'test.yaml', {}), {});
      const r = await probe(p);
      expect(r, r.detail).toMatchObject({ success: true, via: 'proxy', authScheme: 'Negotiate' });
    } finally {
      delete process.env.KRB5_CLIENT_KTNAME;
    }
  });

  it('a route without credentials is not authenticated, and says what the proxy offers', async () => {
    const r = await probe(planWith(undefined));
    expect(r).toMatchObject({ reason: 'proxy_auth_required', proxyAuthSchemes: ['Negotiate'] });
    expect(r.authScheme).toBeUndefined();
    expect(r.detail).toContain('useDefaultCredentials');
  });
});

describe('auto answers what the proxy offers: Negotiate, then NTLM, then Basic', () => {
  const PASSWORD = 'Auto-Passw0rd!never-log-me';
  const squids: Squid[] = [];
  let passwordFile: string;
  beforeAll(() => {
    passwordFile = join(kdc.dir, 'password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
  });
  afterAll(async () => {
    await Promise.all(squids.map((q) => q.stop()));
  });
  const proxyOffering = async (authSchemes: Array<'negotiate' | 'ntlm' | 'basic'>) => {
    const q = await startSquid({ hosts: lab.hosts, authSchemes, users: { 'FABRIKAM\\svc': PASSWORD }, kerberos: { krb5Conf: kdc.krb5Conf, keytab: join(kdc.dir, 'proxy.keytab'), principal: `HTTP/localhost@${kdc.realm}` } });
    squids.push(q);
    return q.authPort;
  };
  const everything = () => ({ username: 'FABRIKAM\\svc', passwordFile, keytab: svcKeytab });

  it.each([
    [['basic'], 'Basic', 1],
    [['ntlm', 'basic'], 'NTLM', 2],
    [['basic', 'ntlm'], 'NTLM', 2],
    [['negotiate', 'ntlm', 'basic'], 'Negotiate', 1],
    [['basic', 'ntlm', 'negotiate'], 'Negotiate', 1],
  ] as const)('offered %j: answers %s in %i leg(s)', async (offered, scheme, legs) => {
    const r = await probe(planWith(everything(), await proxyOffering([...offered])));
    expect(r, r.detail).toMatchObject({ success: true, authScheme: scheme, authLegs: legs });
    // Only a proxy without Negotiate that got NTLM carries the hardening warning.
    expect(r.findings?.map((f) => f.code) ?? []).toEqual(scheme === 'NTLM' ? ['proxy_ntlm_only'] : []);
  });

  it('falls back from Negotiate to NTLM on the same connection when there are no Kerberos credentials', async () => {
    const port = await proxyOffering(['negotiate', 'ntlm', 'basic']);
    const r = await probe(planWith({ username: 'FABRIKAM\\svc', passwordFile }, port));
    expect(r, r.detail).toMatchObject({ success: true, authScheme: 'NTLM', authLegs: 2 });
  });

  it('scheme negotiate facing an NTLM-only proxy: NTLM refused, with the hardening guidance', async () => {
    const r = await probe(planWith({ scheme: 'negotiate', keytab: svcKeytab }, await proxyOffering(['ntlm'])));
    expect(r).toMatchObject({ success: false, reason: 'proxy_auth_ntlm_refused', proxyAuthSchemes: ['NTLM'] });
    expect(r.remedy).toContain('deny NTLM');
  });

  it('scheme basic facing a Negotiate-only proxy: not offered, so proxy_auth_required naming both sides', async () => {
    const r = await probe(planWith({ scheme: 'basic', username: 'FABRIKAM\\svc', passwordFile }));
    expect(r).toMatchObject({ success: false, reason: 'proxy_auth_required', proxyAuthSchemes: ['Negotiate'] });
    expect(r.detail).toContain('this route answers Basic');
  });
});

describe('check over authenticated routes', () => {
  const PASSWORD = 'Check-Passw0rd!never-log-me';
  let ntlmSquid: Squid;
  let configFile: string;
  let passwordFile: string;
  beforeAll(async () => {
    passwordFile = join(kdc.dir, 'check-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    ntlmSquid = await startSquid({ hosts: lab.hosts, authSchemes: ['ntlm', 'basic'], users: { 'FABRIKAM\\svc': PASSWORD } });
    configFile = lab.writeConfig({
      tls: lab.tls,
      probes: { timeoutSeconds: 5 },
      resolve: { localhost: '127.0.0.1' },
      log: { level: 'trace' },
      routes: [
        { name: 'kerberos', proxy: `http://localhost:${lab.squid.authPort}`, credentials: { scheme: 'negotiate', keytab: svcKeytab } },
        { name: 'ntlm', proxy: `http://localhost:${ntlmSquid.authPort}`, credentials: { username: 'FABRIKAM\\svc', passwordFile } },
      ],
    });
  });
  afterAll(async () => {
    await ntlmSquid?.stop();
  });
  const env = () => ({ KRB5_CONFIG: kdc.krb5Conf });

  it('names the scheme each route used, warns about the NTLM-only proxy, and prints no secret', async () => {
    const json = await runCli(['check', '--config', configFile, '--json'], env());
    const text = await runCli(['check', '--config', configFile], env());
    const report = JSON.parse(json.stdout) as { routes: Array<{ route: string; authScheme: string | null; findings: Array<{ code: string; severity: string }> }>; results: Array<{ route: string; success: boolean; authScheme?: string }> };
    expect(report.routes.map((r) => [r.route, r.authScheme])).toEqual([['kerberos', 'Negotiate'], ['ntlm', 'NTLM']]);
    expect(report.routes.find((r) => r.route === 'ntlm')!.findings).toContainEqual(expect.objectContaining({ code: 'proxy_ntlm_only', severity: 'warning' }));
    expect(report.results.filter((r) => r.route === 'kerberos').every((r) => r.authScheme === 'Negotiate')).toBe(true);
    expect(report.results.filter((r) => !r.success)).toEqual([]);
    expect(json.status).toBe(0);
    expect(text.stdout).toContain('Route kerberos: proxy http://localhost:');
    expect(text.stdout).toContain('signed in to the proxy with Negotiate');
    for (const output of [json.stdout, json.stderr, text.stdout, text.stderr]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain('TlRMTVNT'); // base64 of an NTLM message
      expect(output).not.toMatch(/Negotiate [A-Za-z0-9+/]{16,}/);
      expect(output).not.toMatch(/YII[A-Za-z0-9+/]{16,}/); // base64 of a SPNEGO token
    }
  });

  it('the daemon at trace level: probes pass over both routes, and no password or token in logs, /metrics or /status', async () => {
    const daemonConfig = lab.writeConfig({ ...(parseYaml(readFileSync(configFile, 'utf8')) as Record<string, unknown>), listen: '127.0.0.1:0', idle: { enabled: false } });
    const agent = startAgent(['--config', daemonConfig], env());
    try {
      const base = `http://127.0.0.1:${await listenPort(agent)}`;
      const metrics = async () => (await httpGet(`${base}/metrics`)).body;
      await waitFor(async () => /entra_connect_probe_success\{endpoint="login",route="kerberos"\} 1/.test(await metrics()) && /entra_connect_probe_success\{endpoint="login",route="ntlm"\} 1/.test(await metrics()), 30_000, 'both routes to pass');
      const body = await metrics();
      expect(body).toMatch(/entra_connect_probe_phase_duration_seconds\{endpoint="login",route="kerberos",phase="proxy_auth"\} [0-9.e-]+/);
      const status = (await httpGet(`${base}/status`)).body;
      await agent.stop();
      for (const output of [agent.stdout(), agent.stderr(), body, status]) {
        expect(output).not.toContain(PASSWORD);
        expect(output).not.toContain('TlRMTVNT');
        expect(output).not.toMatch(/Negotiate [A-Za-z0-9+/]{16,}/);
        expect(output).not.toMatch(/YII[A-Za-z0-9+/]{16,}/);
      }
      expect(agent.logs().some((l) => l.level === 'debug')).toBe(true); // the per-probe lines, with their phases, were written
    } finally {
      await agent.stop();
    }
  });

  it('without the kerberos package: one finding saying what to install, the probes fail cleanly, nothing crashes', async () => {
    // The package cannot be taken away from this machine for one test; a module hook makes `import('kerberos')` fail
    // as it does where the optional dependency did not install.
    const hook = join(lab.dir, 'no-kerberos-hook.mjs');
    writeFileSync(hook, "export async function resolve(specifier, context, next) { if (specifier === 'kerberos') { const e = new Error(\"Cannot find package 'kerberos'\"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(specifier, context); }\n");
    const register = join(lab.dir, 'no-kerberos.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hook}`)});\n`);
    const run = await runCli(['check', '--config', configFile, '--json'], { ...env(), NODE_OPTIONS: `--import ${register}` });
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { routes: Array<{ route: string; findings: Array<{ code: string; remedy: string }> }>; results: Array<{ route: string; reason: string | null }> };
    const kerberos = report.routes.find((r) => r.route === 'kerberos')!;
    expect(kerberos.findings.filter((f) => f.code === 'kerberos_missing')).toHaveLength(1);
    expect(kerberos.findings.find((f) => f.code === 'kerberos_missing')!.remedy).toContain('libkrb5-dev');
    expect(report.results.filter((r) => r.route === 'kerberos').every((r) => r.reason === 'proxy_auth_required')).toBe(true);
    // The NTLM route does not need Kerberos and still passes.
    expect(report.routes.find((r) => r.route === 'ntlm')!.findings.map((f) => f.code)).not.toContain('kerberos_missing');
  });
});
