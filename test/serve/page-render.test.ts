// The status page rendered from a snapshot, without a browser: the worst case of the default catalogue stays under
// 100 KB, remote text is escaped, a query names nothing back, the drill-down shows failures that left the ring, and
// no path of this machine reaches the page or /status.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { ResultHistory } from '../../agent/export/history.js';
import { buildPlan, type Plan } from '../../agent/plan/plan.js';
import { FAILURE_REASONS, REMEDIES } from '../../agent/probes/classify.js';
import type { ProbeResult } from '../../agent/probes/http/result.js';
import type { AnyResult } from '../../agent/probes/registry.js';
import type { RevocationResult } from '../../agent/probes/revocation/result.js';
import { esc } from '../../agent/serve/page/html.js';
import { takeSnapshot } from '../../agent/serve/snapshot.js';
import { renderStatusPage } from '../../agent/serve/page/index.js';
import { statusJson } from '../../agent/serve/status.js';

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const dir = mkdtempSync(join(tmpdir(), 'ecm-page-'));
const machineConfig = join(dir, 'machine.config');
copyFileSync(join(__dirname, '..', 'fixtures', 'machineconfig', 'bad-address.config'), machineConfig);

function plan(): Plan {
  const yaml = `routes:\n  - name: corp\n    proxy: http://127.0.0.1:3128\n  - name: other\n    proxy: http://127.0.0.1:3129\n  - name: machine\n    machineConfig: ${machineConfig}\n`;
  return buildPlan(parseConfig(yaml, join(dir, 'agent.yaml'), {}), {});
}

function probe(p: Plan, endpoint: string, route: string, startedAt: number, failed: boolean): ProbeResult {
  return {
    kind: 'http', target: endpoint, endpoint, route, url: `https://${endpoint}.example.test/`, via: 'proxy', startedAt, success: !failed,
    durationSeconds: 0.0123, phases: { dns: 0.0001, connect: 0.002, proxy_connect: 0.0102 }, required: true,
    ...(failed
      ? { reason: FAILURE_REASONS[startedAt % FAILURE_REASONS.length]!, proxyStatus: 502, detail: `${HOSTILE} ${'x'.repeat(240)}`.slice(0, 300) }
      : { httpStatus: 200, tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: HOSTILE, issuer: 'Lab CA', validToSeconds: 1_900_000_000, earliestExpirySeconds: 1_900_000_000, chain: [] } }),
  };
}

function history(p: Plan, runs: number, failing: (endpoint: string, route: string) => boolean, capacity = 500): ResultHistory<AnyResult> {
  const h = new ResultHistory<AnyResult>(capacity, 100);
  for (let run = 0; run < runs; run++) {
    for (const t of p.targets) h.add(probe(p, t.endpoint.id, t.route.name, 1_700_000_000_000 + run * 60_000 + p.targets.indexOf(t), failing(t.endpoint.id, t.route.name)));
  }
  return h;
}

describe('the status page from a snapshot', () => {
  it('stays under 100 KB for the default catalogue over three routes with every probe failing, drill-down open', () => {
    const p = plan();
    const snapshot = takeSnapshot(p, history(p, 10, () => true).snapshot(Number.MAX_SAFE_INTEGER), true);
    const page = renderStatusPage(snapshot, { endpoint: 'adminwebservice', route: 'corp' });
    expect(p.endpoints.length * p.routes.length).toBe(60);
    expect(Buffer.byteLength(page)).toBeLessThan(100 * 1024);
    // Each reason's remedy once, however many probes it applies to.
    for (const reason of new Set(snapshot.history.latest.map((r) => r.reason!))) expect(page.split(esc(REMEDIES[reason])).length - 1, reason).toBe(1);
  });

  it('escapes what a proxy or a server sent, in cells, details and TLS facts', () => {
    const p = plan();
    const snapshot = takeSnapshot(p, history(p, 2, (e) => e === 'provisioningapi').snapshot(), true);
    for (const selection of [{ endpoint: 'provisioningapi', route: 'corp' }, { endpoint: 'login', route: 'corp' }]) {
      const page = renderStatusPage(snapshot, selection);
      expect(page).not.toMatch(/<script|<img/i);
      expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    }
  });

  it('names nothing back from the query string', () => {
    const p = plan();
    const page = renderStatusPage(takeSnapshot(p, history(p, 1, () => false).snapshot(), true), { endpoint: '<b>nope</b>', route: 'corp' });
    expect(page).toContain('No endpoint \u00d7 route by that name in this plan');
    expect(page).not.toContain('nope');
  });

  it('shows failures that left the ring in the drill-down, and the streak in the cell', () => {
    const p = plan();
    // A ring of 60 holds one run: the failing runs of provisioningapi before the last have left it.
    const h = history(p, 4, (e, r) => e === 'provisioningapi' && r === 'other', p.targets.length);
    const page = renderStatusPage(takeSnapshot(p, h.snapshot(), true), { endpoint: 'provisioningapi', route: 'other' });
    const drill = page.slice(page.indexOf('<section id="drill"'), page.indexOf('</section>', page.indexOf('<section id="drill"')));
    expect(drill).toContain('<caption>The last probe</caption>');
    expect(drill).toContain('Failures kept after they left the history ring');
    expect(drill.split('<tr class="fail">').length - 1).toBe(4);
    expect(page).toMatch(/failing since <time[^>]*>\d\d:\d\d<\/time>, 4 runs/);
  });

  it('refreshes itself with a meta refresh (no script), and shows the served chain in the drill-down', () => {
    const p = plan();
    const h = new ResultHistory<AnyResult>(500, 100);
    const served = [
      { subject: `CN=login.example.test ${HOSTILE}`, issuer: 'CN=Lab Intermediate', notAfter: '2030-01-01T00:00:00.000Z', sha256: 'ab'.repeat(32) },
      { subject: 'CN=Lab Intermediate', issuer: 'CN=Lab Root', notAfter: '2031-01-01T00:00:00.000Z', sha256: 'cd'.repeat(32) },
    ];
    const r = probe(p, 'login', 'corp', 1_700_000_000_000, false);
    h.add({ ...r, tls: { ...r.tls!, chain: served } });
    const page = renderStatusPage(takeSnapshot(p, h.snapshot(), true), { endpoint: 'login', route: 'corp' });
    expect(page).toMatch(/<meta http-equiv="refresh" content="\d+">/);
    expect(page).not.toMatch(/<script/i);
    const drill = page.slice(page.indexOf('<section id="drill"'), page.indexOf('</section>', page.indexOf('<section id="drill"')));
    for (const cert of served) {
      expect(drill).toContain(esc(cert.subject));
      expect(drill).toContain(cert.sha256);
    }
  });

  it('shows machine.config findings without the path of this machine, on the page and in /status', () => {
    const p = plan();
    const snapshot = takeSnapshot(p, history(p, 1, () => false).snapshot(), true);
    const page = renderStatusPage(snapshot);
    const json = JSON.stringify(statusJson(snapshot));
    expect(snapshot.routes.find((r) => r.name === 'machine')!.machineConfig!.findings.length).toBeGreaterThan(0);
    expect(page).toContain('machine.config of route machine');
    for (const text of [page, json]) expect(text).not.toContain(dir);
    expect(page).toMatch(/<li class="fail"><span class="mark fail" role="img" aria-label="fail">\u2717<\/span><b>machine\.config<\/b>/);
  });

  it('says which way each certificate row goes, and lists the revocation fetches with their answers and uncovered hosts', () => {
    const winhttp = join(__dirname, '..', 'fixtures', 'host', 'wine-export-connections.reg');
    const p = buildPlan(parseConfig(`routes:\n  - name: corp\n    proxy: http://127.0.0.1:3128\n  - name: winhttp\n    winhttp: ${winhttp}\n    carries: revocation\n`, join(dir, 'agent.yaml'), {}), {});
    const h = new ResultHistory<AnyResult>(500, 100);
    for (const t of p.targets) h.add(probe(p, t.endpoint.id, t.route.name, 1_700_000_000_000, false));
    const base = { kind: 'revocation' as const, route: 'winhttp', servedOver: ['corp'], certificate: 'CN=login.example.test', via: 'proxy' as const, startedAt: 1_700_000_000_000, durationSeconds: 0.02, phases: { request: 0.02 }, required: true };
    const fetched: RevocationResult[] = [
      { ...base, target: 'http://crl3.digicert.com/a.crl', url: 'http://crl3.digicert.com/a.crl', endpoint: 'digicert-crl3', type: 'crl', success: true, httpStatus: 200, crl: { revoked: 0, nextUpdate: '2026-12-09T00:00:00.000Z', bytes: 900 } },
      { ...base, target: 'http://ocsp.digicert.com/', url: 'http://ocsp.digicert.com/', endpoint: 'digicert-ocsp', type: 'ocsp', success: false, reason: 'proxy_denied', proxyStatus: 403, detail: `the proxy answered 403 ${HOSTILE}`, remedy: 'Allow ocsp.digicert.com on the proxy.' },
      {
        ...base, target: 'http://crl.other-ca.example/x.crl', url: 'http://crl.other-ca.example/x.crl', endpoint: null, type: 'crl', success: true, httpStatus: 200, crl: { revoked: 2, bytes: 500 },
        findings: [{ code: 'revocation_host_not_in_catalogue', severity: 'warning', message: 'crl.other-ca.example is in no catalogue row', remedy: 'Add it to catalogue.add.', host: 'crl.other-ca.example', url: 'http://crl.other-ca.example/x.crl', kind: 'crl', certificate: 'CN=x', snippet: '' }],
      },
    ];
    for (const r of fetched) h.add(r);
    const page = renderStatusPage(takeSnapshot(p, h.snapshot(), true));
    const matrix = page.slice(page.indexOf('<section id="matrix"'), page.indexOf('</section>', page.indexOf('<section id="matrix"')));
    expect(matrix).toContain('aria-label="mscrl over corp: revocation checks go through route winhttp"');
    expect(matrix).toContain('aria-label="adminwebservice over winhttp: this route carries only the revocation checks"');
    expect(matrix).toContain('aria-label="mscrl over winhttp: OK');
    const section = page.slice(page.indexOf('<section id="revocation"'), page.indexOf('</section>', page.indexOf('<section id="revocation"')));
    // Failures first, each with its reason and remedy; answers for the rest; remote text escaped.
    expect(section.indexOf('http://ocsp.digicert.com/')).toBeLessThan(section.indexOf('http://crl3.digicert.com/a.crl'));
    expect(section).toContain('<b>proxy_denied</b>');
    expect(section).toContain('Allow ocsp.digicert.com on the proxy.');
    expect(section).toContain('CRL, 0 revoked, next update 2026-12-09T00:00:00.000Z');
    expect(section).toContain('winhttp <small>proxy, for corp</small>');
    expect(section).toContain('<th scope="row">no catalogue row</th>');
    expect(section).toContain('<b>crl.other-ca.example</b> crl.other-ca.example is in no catalogue row');
    expect(section).not.toMatch(/<script|<img/i);
    const facts = takeSnapshot(p, h.snapshot(), true).routes;
    expect(facts.map((r) => [r.name, r.revocation, r.carries])).toEqual([['corp', 'winhttp', 'all'], ['winhttp', 'winhttp', 'revocation']]);
    expect(facts[1]!.probes.every((id) => p.endpoints.find((e) => e.id === id)!.category === 'certificate')).toBe(true);
  });
});
