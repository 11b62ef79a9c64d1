// `npm run screenshots`: regenerates docs/status-page.png and docs/status-drilldown.png from the status lab (the
// agent as a process over real squids on loopback, in Debian's chromium), so the README's pictures are the page as
// it is. Run by vitest only to reuse the test lab as it is; `npm test` does not include it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { launchBrowser, recordingContext } from '../test/lab/browser.js';
import { DENIED_ENDPOINT, startStatusLab, waitForLog, type StatusLab } from '../test/lab/status-lab.js';

const DOCS = join(__dirname, '..', 'docs');
let lab: StatusLab | undefined;
afterAll(async () => lab?.stop());

it('regenerates the status page screenshots', async () => {
  lab = await startStatusLab();
  const msg = (m: RegExp) => (l: Record<string, unknown>) => m.test(String(l.msg));
  // A few runs, so that a failure shows its streak; an idle cycle and a sign-in discovery on both routes.
  await waitForLog(lab.agent, msg(/^probe run complete$/), 3, 40_000, 'three probe runs');
  await waitForLog(lab.agent, msg(/^idle tunnel check/), 2, 40_000, 'an idle cycle on each route');
  await waitForLog(lab.agent, msg(/^sign-in discovery/), 2, 30_000, 'sign-in discovery on each route');
  const browser = await launchBrowser();
  try {
    const { context, requests } = await recordingContext(browser, { viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    mkdirSync(DOCS, { recursive: true });
    await page.goto(`${lab.base}/`);
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { bytes: n.decodedBodySize, responseEnd: n.responseEnd, load: n.loadEventEnd };
    });
    console.log(`status page: ${nav.bytes} bytes, response end ${nav.responseEnd.toFixed(0)} ms, load event ${nav.load.toFixed(0)} ms`);
    await page.screenshot({ path: join(DOCS, 'status-page.png'), fullPage: true });
    await page.locator(`#matrix a[href*="endpoint=${DENIED_ENDPOINT}&route=corp-proxy"]`).click();
    await page.waitForURL(/route=corp-proxy/);
    await page.locator('#drill').screenshot({ path: join(DOCS, 'status-drilldown.png') });
    expect(requests.every((u) => u.startsWith(lab!.base))).toBe(true);
  } finally {
    await browser.close();
  }
}, 180_000);
