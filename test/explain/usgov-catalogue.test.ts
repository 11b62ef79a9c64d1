import { describe, expect, it } from 'vitest';
import { hostMatchesPattern, loadCatalogue } from '../../agent/config/catalogue.js';

describe('usgov endpoint catalogue', () => {
  const catalogue = loadCatalogue('usgov');
  const byId = new Map(catalogue.endpoints.map((e) => [e.id, e]));

  it('is the usgov cloud with login.microsoftonline.us as a login host', () => {
    expect(catalogue.cloud).toBe('usgov');
    expect(catalogue.loginHosts).toContain('login.microsoftonline.us');
    expect(catalogue.endpoints.every((e) => e.cloud === 'usgov')).toBe(true);
  });

  it('has unique ids', () => {
    const ids = catalogue.endpoints.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('probes every HTTPS endpoint on 443 and every certificate endpoint over HTTP/80', () => {
    const https = catalogue.endpoints.filter((e) => e.scheme === 'https');
    expect(https.length).toBeGreaterThan(0);
    for (const e of https) expect(e.port, e.id).toBe(443);
    const certs = catalogue.endpoints.filter((e) => e.category === 'certificate');
    expect(certs.length).toBeGreaterThan(0);
    for (const e of certs) {
      expect(e.scheme, e.id).toBe('http');
      expect(e.port, e.id).toBe(80);
    }
  });

  it('keeps the global ids for the same roles, with US Government hosts', () => {
    expect(byId.get('login')?.host).toBe('login.microsoftonline.us');
    expect(byId.get('adminwebservice')?.url).toBe('https://adminwebservice.microsoftonline.us/ProvisioningService.svc');
    expect(byId.get('provisioningapi')?.url).toBe('https://provisioningapi.microsoftonline.us/provisioningwebservice.svc');
    expect(byId.get('azure-management')?.host).toMatch(/usgovcloudapi\.net$/);
    expect(byId.get('azure-graph')?.host).toMatch(/\.us$/);
    expect(byId.get('mfa-aadcdn')?.category).toBe('mfa');
    for (const id of ['adminwebservice', 'provisioningapi']) expect(byId.get(id)?.exports, id).toBe(true);
  });

  it('has the same required certificate ids as the global catalogue', () => {
    const global = loadCatalogue('global');
    const certIds = (c: typeof catalogue) =>
      c.endpoints.filter((e) => e.category === 'certificate' && e.required).map((e) => e.id).sort();
    expect(certIds(catalogue)).toEqual(certIds(global));
  });

  it('every endpoint host falls under its own pattern, and no host is a worldwide or China one', () => {
    for (const e of catalogue.endpoints) {
      expect(hostMatchesPattern(e.host, e.pattern), e.id).toBe(true);
      expect(e.host, e.id).not.toMatch(/microsoftonline\.com$|windows\.net$|\.cn$/);
    }
  });
});
