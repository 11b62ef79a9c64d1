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
import { esc } from '../../agent/serve/page/html.js';
import { takeSnapshot } from '../../agent/serve/snapshot.js';
import { renderStatusPage, statusJson } from '../../agent/serve/status.js';

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
});
