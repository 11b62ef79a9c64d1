// Sign-in discovery through a real squid to a loopback TLS "login service" (the lab CA) in two clouds. Every domain
// and tenant here is fake (fabrikam.cn, contoso.com, ...).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../../agent/config/config.js';
import { buildPlan } from '../../../agent/plan/plan.js';
import { discoverSignIn } from '../../../agent/probes/signin/probe.js';
import type { Cloud } from '../../../agent/config/catalogue.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { fakeLoginService, FAKE_IDP_HOSTS, FAKE_DENIED_HOSTS, TID_CONTOSO, TID_FABRIKAM, TID_MISSING, type LoginService } from '../../lab/login-service.js';
import { freePort } from '../../lab/squid.js';

let lab: Lab;
let service: LoginService;

beforeAll(async () => {
  service = fakeLoginService();
  lab = await startLab({ users: { 'svc-sync': 'correct horse' }, deny: FAKE_DENIED_HOSTS, extraHosts: FAKE_IDP_HOSTS, httpsHandler: service.handler });
});
afterAll(async () => {
  await lab?.stop();
});

function planFor(config: Record<string, unknown>) {
  return buildPlan(parseConfig(stringify({ tls: lab.tls, probes: { timeoutSeconds: 5 }, ...config }), 'test.yaml', {}), {});
}

async function discover(tenant: string, opts: { cloud?: Cloud; proxyPort?: number; route?: Record<string, unknown> } = {}) {
  const plan = planFor({ cloud: opts.cloud ?? 'china', routes: [opts.route ?? { name: 'proxy', proxy: `http://127.0.0.1:${opts.proxyPort ?? lab.squid.port}` }] });
  return discoverSignIn(plan.routes[0]!, plan.config.cloud, tenant, plan.settings);
}

const codes = (r: { findings: Array<{ code: string }> }) => r.findings.map((f) => f.code);

describe('sign-in discovery through squid', () => {
  it('a managed domain: realm Managed, tenant found with its id, each step timed, no findings', async () => {
    const r = await discover('fabrikam.cn');
    expect(r.findings).toEqual([]);
    expect(r.success).toBe(true);
    expect(r.namespaceType).toBe('Managed');
    expect(r.cloudInstanceName).toBe('partner.microsoftonline.cn');
    expect(r.tenantFound).toBe(true);
    expect(r.tenantId).toBe(TID_FABRIKAM);
    expect(r.tenantRegionScope).toBe('AS');
    expect(r.loginHost).toBe('login.partner.microsoftonline.cn');
    expect(r.steps.map((s) => s.step)).toEqual(['realm', 'tenant']);
    for (const s of r.steps) {
      expect(s.answered).toBe(true);
      expect(s.via).toBe('proxy');
      expect(s.proxyStatus).toBe(200);
      expect(s.durationSeconds).toBeGreaterThan(0);
      expect(s.phases.proxy_connect).toBeGreaterThan(0);
      expect(s.phases.tls).toBeGreaterThan(0);
    }
  });

  it('takes the domain of a user principal name and never sends the user part or any credential', async () => {
    const before = service.requests.length;
    const r = await discover('admin@fabrikam.partner.onmschina.cn');
    expect(r.domain).toBe('fabrikam.partner.onmschina.cn');
    expect(r.findings).toEqual([]);
    const seen = service.requests.slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const q of seen) {
      expect(q.method).toBe('GET');
      expect(q.url).not.toContain('admin');
      expect(q.authorization).toBeUndefined();
    }
  });

  it('a federated domain: reaches the identity provider in AuthURL through the same route, without its query', async () => {
    const before = service.requests.length;
    const r = await discover('fed.fabrikam.cn');
    expect(r.findings).toEqual([]);
    expect(r.namespaceType).toBe('Federated');
    expect(r.federationProtocol).toBe('WSTrust');
    expect(r.authUrl).toContain('https://sts.fabrikam.cn/adfs/ls/');
    const fed = r.steps.find((s) => s.step === 'federation');
    expect(fed?.answered).toBe(true);
    expect(fed?.httpStatus).toBe(200);
    const idp = service.requests.slice(before).find((q) => q.host === 'sts.fabrikam.cn');
    expect(idp?.url).toBe('/adfs/ls/');
  });

  it('federation_unreachable when the identity provider cannot be reached over the route', async () => {
    const r = await discover('lostidp.fabrikam.cn');
    expect(codes(r)).toEqual(['federation_unreachable']);
    expect(r.findings[0]!.message).toContain('sts.unreachable.fabrikam.cn');
    const fed = r.steps.find((s) => s.step === 'federation');
    expect(fed?.answered).toBe(false);
    expect(fed?.reason).toBe('proxy_denied'); // the proxy has not been opened for it: 403 to CONNECT
    expect(r.findings[0]!.remedy).toContain("the proxy hasn't been opened");
  });

  it('an unknown domain: unknown_user_type and tenant_not_found, after asking the other clouds', async () => {
    const r = await discover('nowhere.fabrikam.cn');
    expect(codes(r)).toEqual(['unknown_user_type', 'tenant_not_found']);
    expect(r.namespaceType).toBe('Unknown');
    expect(r.tenantFound).toBe(false);
    expect(r.steps.filter((s) => s.step === 'other_cloud')).toHaveLength(2);
    expect(r.findings[0]!.remedy).toContain('unverified domain');
    expect(r.findings[1]!.message).toContain("(AADSTS90002: Tenant 'nowhere.fabrikam.cn' not found.");
  });

  it('wrong_cloud: unknown in the China cloud, known worldwide; names the cloud value to use', async () => {
    const r = await discover('contoso.com');
    expect(codes(r)).toEqual(['wrong_cloud']);
    expect(r.knownInCloud).toBe('global');
    expect(r.findings[0]!.remedy).toContain('cloud: global');
  });

  it('the same domain in its own cloud (worldwide) is found', async () => {
    const r = await discover('contoso.com', { cloud: 'global' });
    expect(r.findings).toEqual([]);
    expect(r.loginHost).toBe('login.microsoftonline.com');
    expect(r.tenantId).toBe(TID_CONTOSO);
    expect(r.cloudInstanceName).toBe('microsoftonline.com');
    expect(r.steps.some((s) => s.step === 'other_cloud')).toBe(false);
  });

  it('a tenant id: found, or tenant_not_found (AADSTS90002)', async () => {
    const found = await discover(TID_FABRIKAM);
    expect(found.findings).toEqual([]);
    expect(found.tenantFound).toBe(true);
    expect(found.steps.map((s) => s.step)).toEqual(['tenant']);
    const missing = await discover(TID_MISSING);
    expect(codes(missing)).toEqual(['tenant_not_found']);
    expect(missing.tenantFound).toBe(false);
  });

  it('tenant_not_found when the realm knows the domain but the tenant does not exist', async () => {
    const r = await discover('orphan.fabrikam.cn');
    expect(codes(r)).toEqual(['tenant_not_found']);
  });

  it('microsoft_account for a consumer domain', async () => {
    const r = await discover('someone@outlook.com');
    expect(codes(r)).toEqual(['microsoft_account']);
    expect(r.findings[0]!.message).toContain('A Microsoft account is used');
  });

  it('unexpected_response when an HTML block page answers in place of the JSON', async () => {
    const r = await discover('blocked.fabrikam.cn');
    expect(codes(r)).toEqual(['unexpected_response']);
    expect(r.success).toBe(false);
    expect(r.findings[0]!.message).toContain('Access Denied by Web Filter');
    expect(r.findings[0]!.message).toContain('HTML');
  });

  it('realm_discovery_failed with proxy_unreachable when the proxy is down; every login host alias is tried', async () => {
    const closed = await freePort();
    const r = await discover('fabrikam.cn', { proxyPort: closed });
    expect(codes(r)).toEqual(['realm_discovery_failed']);
    expect(r.success).toBe(false);
    expect(r.steps.map((s) => s.url.split('/')[2])).toEqual(['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn']);
    expect(r.steps.every((s) => s.reason === 'proxy_unreachable')).toBe(true);
    expect(r.findings[0]!.message).toContain('proxy_unreachable');
    expect(r.findings[0]!.message).toContain('login.partner.microsoftonline.cn and login.chinacloudapi.cn cannot be reached');
    expect(r.findings[0]!.remedy).toContain("The network can't be reached");
  });

  it('realm_discovery_failed with proxy_auth_required when the proxy wants a sign-in', async () => {
    const r = await discover('fabrikam.cn', { proxyPort: lab.squid.authPort });
    expect(codes(r)).toEqual(['realm_discovery_failed']);
    expect(r.steps[0]!.reason).toBe('proxy_auth_required');
    expect(r.steps[0]!.proxyStatus).toBe(407);
  });

  it('works over a direct route (names pinned to the lab)', async () => {
    const plan = planFor({ routes: [{ name: 'direct' }], resolve: { 'login.partner.microsoftonline.cn': lab.address } });
    const d = await discoverSignIn(plan.routes[0]!, 'china', 'fabrikam.cn', plan.settings);
    expect(d.findings).toEqual([]);
    expect(d.steps[0]!.via).toBe('direct');
    expect(d.steps[0]!.phases.proxy_connect).toBeUndefined();
  });
});
