import { describe, expect, it } from 'vitest';
import { hostMatchesPattern, loadCatalogue } from '../../agent/config/catalogue.js';

describe('the china catalogue (the article\'s table)', () => {
  const catalogue = loadCatalogue('china');

  it('covers all 16 rows of the article\'s table', () => {
    const rows = new Set(catalogue.endpoints.map((e) => e.row).filter((r) => r !== undefined));
    expect([...rows].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('probes CRL/OCSP hosts over HTTP/80 and services over HTTPS/443', () => {
    for (const e of catalogue.endpoints) {
      if (e.category === 'certificate') expect([e.id, e.scheme, e.port]).toEqual([e.id, 'http', 80]);
      else expect([e.id, e.scheme, e.port]).toEqual([e.id, 'https', 443]);
    }
  });

  it('every probe URL falls under its pattern, and wildcards probe their bare host', () => {
    for (const e of catalogue.endpoints) expect(hostMatchesPattern(e.host, e.pattern), e.id).toBe(true);
    expect(catalogue.endpoints.find((e) => e.pattern === '*.crl3.digicert.com')?.url).toBe('http://crl3.digicert.com/');
  });

  it.each(['china', 'global', 'usgov'] as const)('%s: a wildcard revocation row whose bare host is a web site is probed at the CA\'s revocation host', (cloud) => {
    const rows = loadCatalogue(cloud).endpoints.filter((e) => e.category === 'certificate');
    const url = (id: string) => rows.find((e) => e.id === id)?.url;
    expect(url('verisign-crl')).toBe('http://crl.verisign.com/');
    expect(url('entrust-crl')).toBe('http://crl.entrust.net/');
    expect(url('dtrust-www')).toBe('http://www.d-trust.net/crl/d-trust_root_class_3_ca_2_2009.crl');
    if (cloud === 'china') expect(url('digicert-cn')).toBe('http://crl.digicert.cn/');
    // No row probes a registrable domain's root (a company's web site) in place of a CRL or OCSP host.
    for (const e of rows) if (e.pattern.startsWith('*.')) expect(new URL(e.url).hostname.split('.').length > 2 || new URL(e.url).pathname !== '/', e.id).toBe(true);
  });

  it('expands *.partner.microsoftonline.cn to login, adminwebservice and provisioningapi', () => {
    const under = catalogue.endpoints.filter((e) => e.pattern === '*.partner.microsoftonline.cn').map((e) => e.id);
    expect(under).toEqual(['login', 'adminwebservice', 'provisioningapi']);
    expect(catalogue.endpoints.find((e) => e.id === 'adminwebservice')?.url).toBe('https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc');
  });

  it('has login.chinacloudapi.cn from the reference log, and the telemetry host as optional', () => {
    expect(catalogue.endpoints.some((e) => e.host === 'login.chinacloudapi.cn')).toBe(true);
    const telemetry = catalogue.endpoints.find((e) => e.host === 'dc.services.visualstudio.com');
    expect(telemetry?.required).toBe(false);
  });
});

describe('the global catalogue', () => {
  it('has the worldwide equivalents and the same certificate hosts', () => {
    const global = loadCatalogue('global');
    const hosts = global.endpoints.map((e) => e.host);
    for (const h of ['login.microsoftonline.com', 'adminwebservice.microsoftonline.com', 'provisioningapi.microsoftonline.com', 'secure.aadcdn.microsoftonline-p.com', 'management.core.windows.net', 'graph.windows.net']) {
      expect(hosts).toContain(h);
    }
    const certHosts = (c: 'china' | 'global') => loadCatalogue(c).endpoints.filter((e) => e.category === 'certificate' && e.id !== 'digicert-cn').map((e) => e.host).sort();
    expect(certHosts('global')).toEqual(certHosts('china'));
  });
});

describe('hostMatchesPattern', () => {
  it('matches wildcards on label boundaries only', () => {
    expect(hostMatchesPattern('a.crl.microsoft.com', '*.crl.microsoft.com')).toBe(true);
    expect(hostMatchesPattern('crl.microsoft.com', '*.crl.microsoft.com')).toBe(true);
    expect(hostMatchesPattern('evilcrl.microsoft.com', '*.crl.microsoft.com')).toBe(false);
    expect(hostMatchesPattern('LOGIN.partner.microsoftonline.cn.', '*.partner.microsoftonline.cn')).toBe(true);
  });
});
