// The pure part of sign-in discovery: the tenant setting, reading the login service's answers, the findings, and
// the closed label sets. No network. Every domain here is fake.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../agent/config/config.js';
import { InputError } from '../../../agent/errors.js';
import {
  cloudInstanceLabel,
  namespaceLabel,
  parseTenantValue,
  readRealm,
  readTenant,
  signInFindings,
  SIGNIN_FINDING_CODES,
  type DiscoveryFacts,
  type RealmAnswer,
} from '../../../agent/probes/signin/facts.js';

const base: DiscoveryFacts = { cloud: 'china', route: 'corp-proxy', domain: 'fabrikam.cn', isTenantId: false, loginHost: 'login.partner.microsoftonline.cn' };
const realm = (r: Partial<RealmAnswer>): DiscoveryFacts['realm'] => ({ kind: 'answer', value: { namespaceType: 'Managed', consumerDomain: false, cloudInstanceName: 'partner.microsoftonline.cn', ...r } });
const found: DiscoveryFacts['tenant'] = { kind: 'answer', value: { found: true, tenantId: '6f1a2b3c-0000-4000-8000-00000000fab1' } };
const missing: DiscoveryFacts['tenant'] = { kind: 'answer', value: { found: false, description: "AADSTS90002: Tenant 'fabrikam.cn' not found." } };
const codes = (f: DiscoveryFacts) => signInFindings(f).map((x) => x.code);

describe('parseTenantValue', () => {
  it('takes a domain, the domain of a user principal name, or a tenant id', () => {
    expect(parseTenantValue('Fabrikam.CN')).toEqual({ domain: 'fabrikam.cn', isTenantId: false });
    expect(parseTenantValue('admin@fabrikam.partner.onmschina.cn')).toEqual({ domain: 'fabrikam.partner.onmschina.cn', isTenantId: false });
    expect(parseTenantValue('6F1A2B3C-0000-4000-8000-00000000FAB1')).toEqual({ domain: '6f1a2b3c-0000-4000-8000-00000000fab1', isTenantId: true });
  });
  it('refuses what is none of them', () => {
    for (const bad of ['', 'not a domain', 'admin@', 'fabrikam', 'a@b@', 'https://fabrikam.cn/']) expect(parseTenantValue(bad)).toHaveProperty('error');
  });
  it('is checked in the configuration: tenant.domain and tenant.schedule', () => {
    expect(parseConfig('tenant: { domain: admin@fabrikam.cn }\n', 'a.yaml', {}).tenant).toEqual({ domain: 'admin@fabrikam.cn', schedule: '*/5 * * * *' });
    expect(parseConfig('{}\n', 'a.yaml', {}).tenant).toEqual({ schedule: '*/5 * * * *' });
    expect(() => parseConfig('tenant: { domain: "not a domain" }\n', 'a.yaml', {})).toThrow(InputError);
    expect(() => parseConfig('tenant: { domain: fabrikam.cn, extra: 1 }\n', 'a.yaml', {})).toThrow(/tenant: unknown key "extra"/);
    expect(() => parseConfig('tenant: { schedule: "every minute" }\n', 'a.yaml', {})).toThrow(/tenant.schedule/);
  });
});

describe('reading answers', () => {
  it('a realm: 2.x NameSpaceType, 1.0 account_type, federation facts, consumer flag', () => {
    const fed = readRealm({ status: 200, contentType: 'application/json', body: JSON.stringify({ NameSpaceType: 'Federated', DomainName: 'fed.fabrikam.cn', cloud_instance_name: 'partner.microsoftonline.cn', federation_protocol: 'WSTrust', AuthURL: 'https://sts.fabrikam.cn/adfs/ls/' }) });
    expect(fed).toEqual({ ok: true, value: { namespaceType: 'Federated', domainName: 'fed.fabrikam.cn', cloudInstanceName: 'partner.microsoftonline.cn', federationProtocol: 'WSTrust', authUrl: 'https://sts.fabrikam.cn/adfs/ls/', consumerDomain: false } });
    expect(readRealm({ status: 200, contentType: 'application/json', body: '{"account_type":"Managed","domain_name":"fabrikam.cn"}' })).toMatchObject({ ok: true, value: { namespaceType: 'Managed', domainName: 'fabrikam.cn' } });
    expect(readRealm({ status: 200, contentType: 'application/json', body: '{"NameSpaceType":"Managed","IsConsumerDomain":true}' })).toMatchObject({ ok: true, value: { consumerDomain: true } });
  });
  it('anything else from the login host is unexpected, and says what it was', () => {
    const html = readRealm({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><head><title>Blocked by policy</title></head></html>' });
    expect(html).toEqual({ ok: false, detail: 'the login host answered HTTP 200 (text/html, an HTML page: "Blocked by policy") instead of the user realm JSON (NameSpaceType)' });
    expect(readRealm({ status: 502, contentType: 'application/json', body: '{"NameSpaceType":"Managed"}' }).ok).toBe(false);
    expect(readRealm({ status: 200, contentType: 'application/json', body: '{"something":"else"}' }).ok).toBe(false);
    expect(readRealm({ status: 200, contentType: 'application/json', body: '[1,2]' }).ok).toBe(false);
  });
  it('a tenant: 200 with issuer (the tenant id in it), 400 invalid_tenant (AADSTS90002), or unexpected', () => {
    expect(readTenant({ status: 200, contentType: 'application/json', body: JSON.stringify({ issuer: 'https://login.partner.microsoftonline.cn/6F1A2B3C-0000-4000-8000-00000000FAB1/v2.0', tenant_region_scope: 'AS', cloud_instance_name: 'partner.microsoftonline.cn' }) })).toEqual({
      ok: true,
      value: { found: true, tenantId: '6f1a2b3c-0000-4000-8000-00000000fab1', tenantRegionScope: 'AS', cloudInstanceName: 'partner.microsoftonline.cn' },
    });
    expect(readTenant({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_tenant', error_description: "AADSTS90002: Tenant 'x.cn' not found.\r\nTrace ID: 1" }) })).toEqual({ ok: true, value: { found: false, description: "AADSTS90002: Tenant 'x.cn' not found." } });
    expect(readTenant({ status: 400, contentType: 'application/json', body: '{"error":"invalid_request"}' }).ok).toBe(false);
    expect(readTenant({ status: 200, contentType: 'text/html', body: '<html>' }).ok).toBe(false);
  });
});

describe('signInFindings', () => {
  it('nothing for a managed domain with its tenant, or a federated one whose identity provider answers', () => {
    expect(codes({ ...base, realm: realm({}), tenant: found })).toEqual([]);
    expect(codes({ ...base, realm: realm({ namespaceType: 'Federated', authUrl: 'https://sts.fabrikam.cn/adfs/ls/' }), tenant: found, federation: { host: 'sts.fabrikam.cn', kind: 'answered', status: 200 } })).toEqual([]);
  });

  it('realm_discovery_failed carries the connectivity reason and the article remedy, and is alone', () => {
    const f = signInFindings({ ...base, realm: { kind: 'network', reason: 'proxy_denied', detail: 'the proxy answered CONNECT with 403' } });
    expect(f.map((x) => x.code)).toEqual(['realm_discovery_failed']);
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toContain('User realm discovery failed');
    expect(f[0]!.message).toContain('proxy_denied');
    expect(f[0]!.remedy).toContain("Network or proxy configuration issues. The network can't be reached.");
    expect(f[0]!.remedy).toContain("the proxy hasn't been opened for the requested URL");
  });

  it('unknown_user_type suggests the initial domain of the configured cloud', () => {
    const f = signInFindings({ ...base, realm: realm({ namespaceType: 'Unknown' }), knownElsewhere: [], tenant: missing });
    expect(f.map((x) => x.code)).toEqual(['unknown_user_type', 'tenant_not_found']);
    expect(f[0]!.message).toContain('Unknown user type');
    expect(f[0]!.remedy).toContain('unverified domain');
    expect(f[0]!.remedy).toContain('partner.onmschina.cn');
    expect(signInFindings({ ...base, cloud: 'global', realm: realm({ namespaceType: 'Unknown' }), knownElsewhere: [] })[0]!.remedy).toContain('onmicrosoft.com');
  });

  it('wrong_cloud names the cloud value, from another cloud knowing the domain or from a foreign cloud instance', () => {
    const a = signInFindings({ ...base, realm: realm({ namespaceType: 'Unknown' }), knownElsewhere: [{ cloud: 'global', namespaceType: 'Managed' }], tenant: missing });
    expect(a.map((x) => x.code)).toEqual(['wrong_cloud']); // the tenant is missing here because it is elsewhere
    expect(a[0]!.remedy).toContain('cloud: global');
    const b = signInFindings({ ...base, realm: realm({ cloudInstanceName: 'microsoftonline.us' }), tenant: found });
    expect(b.map((x) => x.code)).toEqual(['wrong_cloud']);
    expect(b[0]!.remedy).toContain('cloud: usgov');
  });

  it('tenant_not_found quotes AADSTS90002', () => {
    const f = signInFindings({ ...base, realm: realm({}), tenant: missing });
    expect(f.map((x) => x.code)).toEqual(['tenant_not_found']);
    expect(f[0]!.message).toContain("AADSTS90002: Tenant 'fabrikam.cn' not found.");
  });

  it('microsoft_account for a consumer answer or domain, in the article words, and nothing else', () => {
    for (const f of [signInFindings({ ...base, realm: realm({ consumerDomain: true }) }), signInFindings({ ...base, domain: 'hotmail.com', realm: realm({ namespaceType: 'Unknown' }), knownElsewhere: [] })]) {
      expect(f.map((x) => x.code)).toEqual(['microsoft_account']);
      expect(f[0]!.message).toContain('A Microsoft account is used');
      expect(f[0]!.remedy).toContain('If you use a Microsoft account instead of a school or organization account, you see a generic error.');
    }
  });

  it('federation_unreachable for a network failure or a missing AuthURL', () => {
    const net = signInFindings({ ...base, realm: realm({ namespaceType: 'Federated' }), tenant: found, federation: { host: 'sts.fabrikam.cn', kind: 'network', reason: 'dns', detail: 'no such name' } });
    expect(net.map((x) => x.code)).toEqual(['federation_unreachable']);
    expect(net[0]!.message).toContain('sts.fabrikam.cn');
    expect(net[0]!.remedy).toContain('DNS');
    expect(codes({ ...base, realm: realm({ namespaceType: 'Federated' }), tenant: found, federation: { host: '(none)', kind: 'no_url', detail: 'the user realm gave no AuthURL' } })).toEqual(['federation_unreachable']);
  });

  it('unexpected_response for the realm alone, or for the tenant request after a good realm', () => {
    expect(codes({ ...base, realm: { kind: 'unexpected', detail: 'HTML' } })).toEqual(['unexpected_response']);
    expect(codes({ ...base, realm: realm({}), tenant: { kind: 'unexpected', detail: 'HTML' } })).toEqual(['unexpected_response']);
  });

  it('uses only codes of the closed set, each with a message and a remedy', () => {
    const all = [
      signInFindings({ ...base, realm: { kind: 'network', reason: 'timeout', detail: 'x' } }),
      signInFindings({ ...base, realm: realm({ namespaceType: 'Unknown' }), knownElsewhere: [], tenant: missing }),
      signInFindings({ ...base, realm: realm({ namespaceType: 'Federated' }), tenant: { kind: 'network', reason: 'timeout', detail: 'x' }, federation: { host: 'h', kind: 'network', reason: 'timeout', detail: 'x' } }),
    ].flat();
    for (const f of all) {
      expect(SIGNIN_FINDING_CODES).toContain(f.code);
      expect(f.message.length).toBeGreaterThan(10);
      expect(f.remedy.length).toBeGreaterThan(10);
    }
  });
});

describe('label values are closed sets', () => {
  it('namespace_type', () => {
    expect(['Managed', 'federated', 'UNKNOWN', 'Sneaky"label', undefined].map(namespaceLabel)).toEqual(['Managed', 'Federated', 'Unknown', 'other', 'other']);
  });
  it('cloud_instance', () => {
    expect(['partner.microsoftonline.cn', 'MicrosoftOnline.com', 'microsoftonline.us', 'evil.example', undefined].map(cloudInstanceLabel)).toEqual(['partner.microsoftonline.cn', 'microsoftonline.com', 'microsoftonline.us', 'other', 'other']);
  });
});
