// The status page as an admin sees it, in a real browser (Debian's chromium driven by playwright-core), against the
// agent running over real squids: one endpoint denied (403), one route that needs proxy authentication, one hung
// endpoint, and one route through a proxy whose error text is hostile HTML. The web side is behind TLS and basic
// auth from --web.config.file, like /metrics.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../agent/config/catalogue.js';
import { REMEDIES } from '../../agent/probes/classify.js';
import { httpsGet } from '../lab/https-get.js';
import { launchBrowser, recordingContext, type RecordingContext } from '../lab/browser.js';
import { DENIED_ENDPOINT, HOSTILE_PROXY_TEXT, HUNG_ENDPOINT, SCRAPER, startStatusLab, waitForLog, type StatusLab } from '../lab/status-lab.js';

let lab: StatusLab;
let browser: Browser;
let rec: RecordingContext;
let page: Page;
const ENDPOINTS = loadCatalogue('china').endpoints.length + 1;

function get(path: string, auth?: string) {
  return httpsGet(new URL(path, lab.base), { ca: lab.lab.ca.cert, auth });
}
const credentials = `${SCRAPER.user}:${SCRAPER.password}`;

beforeAll(async () => {
  [lab, browser] = await Promise.all([startStatusLab({ hostile: true, secured: true }), launchBrowser()]);
  const msg = (m: string) => (l: Record<string, unknown>) => l.msg === m;
  // Two probe runs (so a failure has a streak), an idle cycle on every proxy route and a sign-in discovery.
  await waitForLog(lab.agent, msg('probe run complete'), 2, 30_000, 'two probe runs');
  await waitForLog(lab.agent, (l) => /^idle tunnel check/.test(String(l.msg)), 3, 40_000, 'an idle cycle on each route');
  await waitForLog(lab.agent, (l) => /^sign-in discovery/.test(String(l.msg)), 3, 30_000, 'sign-in discovery on each route');
  rec = await recordingContext(browser, { httpCredentials: { username: SCRAPER.user, password: SCRAPER.password } });
  page = await rec.context.newPage();
  await page.goto(`${lab.base}/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe('the status page in a browser', () => {
  it('answers 401 without credentials, like /metrics, and the page itself under 100 KB', async () => {
    for (const path of ['/', `/?endpoint=${DENIED_ENDPOINT}&route=corp-proxy`, '/status', '/metrics']) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.body).not.toContain(DENIED_ENDPOINT);
    }
    const res = await get('/', credentials);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(Buffer.byteLength(res.body)).toBeLessThan(100 * 1024);
  });

  it('names the failing routes with their counts in the summary, and the facts of each route', async () => {
    const verdict = await page.locator('#summary .verdict').innerText();
    expect(verdict).toContain('Failing on route corp-proxy (2 endpoints)');
    expect(verdict).toContain('route auth-proxy (1 endpoint)');
    const corp = await page.locator('#summary tr', { has: page.locator('th', { hasText: /^corp-proxy$/ }) }).innerText();
    expect(corp).toContain(`${ENDPOINTS - 2} OK, 2 failing`);
    expect(corp).toContain(DENIED_ENDPOINT);
    expect(corp).toContain(HUNG_ENDPOINT);
    expect(corp).toMatch(/fail: closed after \d\.\d s \(required 4 s\)/);
    expect(corp).toContain('reachable');
    expect(corp).toContain('none sent');
    const auth = await page.locator('#summary tr', { has: page.locator('th', { hasText: /^auth-proxy$/ }) }).innerText();
    expect(auth).toContain(`${ENDPOINTS - 1} OK, 1 failing`);
    expect(auth).toContain('basic as CONTOSO\\svc-aadsync');
    expect(auth).toContain('pass (required 4 s)');
    // Each step of the article's order: its mark as a screen reader says it, then what it says.
    const items = page.locator('#summary ol.checklist li');
    const steps: string[] = [];
    for (let i = 0; i < (await items.count()); i++) steps.push(`${await items.nth(i).locator('.mark').getAttribute('aria-label')}: ${await items.nth(i).innerText()}`);
    expect(steps).toHaveLength(7);
    expect(steps[0]).toMatch(/^not applicable: \u2013machine\.config no route reads its proxy from machine\.config$/);
    expect(steps[1]).toMatch(/^pass: \u2713Proxy reachable 3 proxies took connections$/);
    expect(steps[2]).toMatch(/^fail: \u2717Connectivity test URL 1 probe failing: adminwebservice via hostile: proxy_error$/);
    expect(steps[3]).toMatch(/^fail: \u2717Other endpoints \d+ probes failing: /);
    expect(steps[4]).toMatch(/^fail: \u2717Proxy idle timeout closes idle tunnels too early: corp-proxy after \d\.\d s$/);
    expect(steps[5]).toMatch(/^fail: \u2717Sign-in discovery /);
    expect(steps[6]).toMatch(/^not applicable: \u2013Host findings no host check in this agent$/);
  });

  it('says proxy_denied in words in the denied cell, with since when and how many runs', async () => {
    const cell = page.locator(`#matrix a[href*="endpoint=${DENIED_ENDPOINT}&route=corp-proxy"]`);
    const text = await cell.innerText();
    expect(text).toContain('proxy_denied');
    expect(text).toMatch(/failing since \d\d:\d\d, [2-9]\d* runs/);
    expect(await cell.getAttribute('aria-label')).toMatch(new RegExp(`^${DENIED_ENDPOINT} over corp-proxy: failed, proxy_denied, .* ms, failing since`));
    expect(await page.locator(`#matrix a[href*="endpoint=${DENIED_ENDPOINT}&route=auth-proxy"]`).innerText()).toMatch(/^OK \d/);
    expect(await page.locator(`#matrix a[href*="endpoint=${HUNG_ENDPOINT}&route=auth-proxy"]`).innerText()).toContain('timeout');
    // Grouped by category: the denied endpoint sits under "Directory and sync".
    const group = await page.locator('#matrix tbody', { has: page.locator(`a[href*="endpoint=${DENIED_ENDPOINT}&route=corp-proxy"]`) }).locator('tr.group').innerText();
    expect(group).toBe('Directory and sync');
  });

  it('shows the 403 remedy once, with the endpoints it applies to', async () => {
    const body = await page.locator('body').innerText();
    expect(body.split(REMEDIES.proxy_denied).length - 1).toBe(1);
    const applies = await page.locator('#what-proxy_denied .applies li').allInnerTexts();
    expect(applies).toEqual([`${DENIED_ENDPOINT} via corp-proxy`]);
    expect(await page.locator('#remedies .remedy h3').allInnerTexts()).toEqual(expect.arrayContaining(['proxy_denied', 'timeout', 'idle_tunnel_closed']));
  });

  it('opens the drill-down from the cell: the phases of its last probe, status codes and earlier probes', async () => {
    await page.locator(`#matrix a[href*="endpoint=${DENIED_ENDPOINT}&route=corp-proxy"]`).click();
    await page.waitForURL(/route=corp-proxy/);
    const drill = page.locator('#drill');
    expect(await drill.locator('h2').innerText()).toMatch(new RegExp(`^${DENIED_ENDPOINT} over corp-proxy`));
    const phases = await drill.locator('table.phases tbody th').allInnerTexts();
    expect(phases).toEqual(['dns', 'connect', 'proxy_connect']);
    expect(await drill.locator('table.phases tbody td').first().innerText()).toMatch(/ms$/);
    expect(await drill.locator('.bar').first().getAttribute('aria-label')).toMatch(/^dns [\d.]+ ms, connect [\d.]+ ms, proxy_connect [\d.]+ ms$/);
    const rows = await drill.locator('table.probes').first().locator('tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toMatch(/proxy_denied.*\b403\b/s);
    expect(await drill.innerText()).toContain('the proxy answered CONNECT provisioningapi.partner.microsoftonline.cn:443 with 403 Forbidden');
  });

  it('shows the TLS facts of a handshake in the drill-down', async () => {
    await page.goto(`${lab.base}/?endpoint=login&route=auth-proxy#drill`);
    const tls = await page.locator('#drill dl.tls').innerText();
    expect(tls).toMatch(/Version\s+TLSv1\.[23]/);
    expect(tls).toMatch(/Issuer\s+\S+/);
    expect(await page.locator('#drill table.phases tbody th').allInnerTexts()).toEqual(['dns', 'connect', 'proxy_connect', 'tls', 'request', 'transfer']);
  });

  it('shows a hostile proxy text as text: no element, no script run', async () => {
    await page.goto(`${lab.base}/?endpoint=adminwebservice&route=hostile#drill`);
    const detail = await page.locator('#drill table.probes').first().locator('td.detail').first().innerText();
    expect(detail).toContain(HOSTILE_PROXY_TEXT);
    expect(await page.locator('#matrix').innerText()).toContain('proxy_error');
    expect(await page.evaluate(() => ({ scripts: document.scripts.length, images: document.images.length, pwned: (window as unknown as { __pwned?: number }).__pwned }))).toEqual({ scripts: 0, images: 0, pwned: undefined });
  });

  it('makes no request outside the agent, and loads quickly', async () => {
    await page.goto(`${lab.base}/`);
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { bytes: nav.transferSize, decoded: nav.decodedBodySize, responseEnd: nav.responseEnd, load: nav.loadEventEnd };
    });
    console.log(`status page: ${timing.decoded} bytes decoded, response end ${timing.responseEnd.toFixed(0)} ms, load ${timing.load.toFixed(0)} ms`);
    expect(timing.decoded).toBeLessThan(100 * 1024);
    expect(timing.load).toBeLessThan(5000);
    const origin = new URL(lab.base).origin;
    expect(rec.requests.length).toBeGreaterThanOrEqual(5);
    expect(rec.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
  });
});
