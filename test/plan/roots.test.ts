import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { availableClouds, loadCatalogue } from '../../agent/config/catalogue.js';
import { parseConfig } from '../../agent/config/config.js';
import { InputError } from '../../agent/errors.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { readExpectedRootsFile, resolveCatalogueRoots } from '../../agent/plan/roots.js';
import { createTestCa } from '../lab/ca.js';

const plan = (config: Record<string, unknown>) => buildPlan(parseConfig(stringify(config), 'test.yaml', {}), {});

describe('the roots each cloud chains to', () => {
  it.each(availableClouds())('every root the %s catalogue lists is found in Node\'s bundled store by subject, thumbprint and key', (cloud) => {
    const listed = loadCatalogue(cloud).tlsRoots;
    expect(listed.length).toBeGreaterThanOrEqual(6);
    expect(resolveCatalogueRoots(listed).map((r) => r.id)).toEqual(listed.map((r) => r.id));
    for (const r of listed) expect(r.source).toMatch(/^https:\/\/(learn\.microsoft\.com|docs\.azure\.cn)\/.*azure-ca-details/);
  });

  it('leaves out a listed root whose key does not match the store\'s certificate', () => {
    const [first] = loadCatalogue('global').tlsRoots;
    expect(resolveCatalogueRoots([{ ...first!, spkiSha256: '0'.repeat(64) }])).toEqual([]);
  });

  it('the plan carries the cloud\'s roots, or the roots file instead of them', () => {
    expect(plan({ cloud: 'global' }).settings.expectedRoots.map((r) => r.id)).toContain('digicert-global-root-g2');
    const ca = createTestCa();
    const roots = plan({ cloud: 'global', tls: { expectedRootsFile: ca.certFile } }).settings.expectedRoots;
    expect(roots).toEqual([expect.objectContaining({ id: 'entra-connect-monitor-test-ca', subject: 'entra-connect-monitor test CA' })]);
  });

  it('a roots file without a certificate is one line naming the key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ecm-roots-')), 'roots.pem');
    writeFileSync(file, 'not a certificate\n');
    expect(() => readExpectedRootsFile(file, { file: 'agent.yaml', key: 'tls.expectedRootsFile' })).toThrow(InputError);
    expect(() => readExpectedRootsFile(file, { file: 'agent.yaml', key: 'tls.expectedRootsFile' })).toThrow(`agent.yaml: tls.expectedRootsFile: ${file} holds no PEM certificate`);
  });
});

describe('the optional Connect Health category', () => {
  it('is off by default and probed with catalogue.include: [health]', () => {
    const off = plan({ cloud: 'global' }).endpoints.filter((e) => e.category === 'health');
    expect(off).toEqual([]);
    const on = plan({ cloud: 'global', catalogue: { include: ['health'] } }).endpoints.filter((e) => e.category === 'health').map((e) => e.host);
    expect(on).toEqual(expect.arrayContaining(['management.azure.com', 'policykeyservice.dc.ad.msft.net', 'autoupdate.msappproxy.net']));
    const usgov = plan({ cloud: 'usgov', catalogue: { include: ['health'] } }).endpoints.filter((e) => e.category === 'health').map((e) => e.host);
    expect(usgov).toEqual(expect.arrayContaining(['management.usgovcloudapi.net', 'policykeyservice.aadcdi.azure.us', 'autoupdate.msappproxy.us']));
  });

  it('the China catalogue has none (Connect Health is not offered there)', () => {
    expect(loadCatalogue('china').endpoints.filter((e) => e.category === 'health')).toEqual([]);
  });
});
