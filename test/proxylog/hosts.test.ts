import { describe, expect, it } from 'vitest';
import { loadAvailableCatalogues } from '../../agent/config/catalogue.js';
import { HostClassifier } from '../../agent/proxylog/hosts.js';

describe('which hosts are Entra Connect traffic', () => {
  const classifier = new HostClassifier(loadAvailableCatalogues());

  it('loads the catalogues that exist (a cloud whose file is not written yet is skipped)', () => {
    expect(loadAvailableCatalogues().map((c) => c.cloud)).toEqual(expect.arrayContaining(['china', 'global']));
  });

  it('names the catalogue endpoint that probes the host itself', () => {
    expect(classifier.classify('adminwebservice.partner.microsoftonline.cn')).toMatchObject({ kind: 'entra', endpoints: ['adminwebservice'], regional: false, role: 'adminwebservice' });
    expect(classifier.classify('crl3.digicert.com')).toMatchObject({ kind: 'entra', regional: false, role: undefined });
  });

  it('regional: hosts discovery hands out, not login or discovery hosts of any cloud', () => {
    expect(classifier.classify('bba800-anchor.partner.microsoftonline.cn')).toMatchObject({ regional: true, role: 'anchor', pattern: '*.partner.microsoftonline.cn' });
    expect(classifier.classify('bwsc02-relay.partner.microsoftonline.cn')).toMatchObject({ regional: true, role: 'relay' });
    expect(classifier.classify('login.microsoftonline.us')).toMatchObject({ kind: 'entra', regional: false, role: 'login' });
  });

  it("the article's ignorable names are ignored, other traffic is unrelated", () => {
    expect(classifier.classify('dc.services.visualstudio.com').kind).toBe('ignored');
    expect(classifier.classify('a1234.dscg.akamai.nsatc.net').kind).toBe('ignored');
    expect(classifier.classify('www.example.org').kind).toBe('unrelated');
    expect(classifier.classify('').kind).toBe('unrelated');
  });
});
