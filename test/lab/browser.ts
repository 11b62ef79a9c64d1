// A real browser for the tests: Debian's chromium driven by playwright-core, which brings no browser of its own.
// The flags keep it off the network (no background fetches, updates, sync or QUIC; every host name unresolvable),
// and playwright gives each launch a fresh profile directory.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const OFFLINE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
  // The agent is reached by its loopback address; any name the page (or chromium) tried to resolve fails.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: OFFLINE_FLAGS, timeout: 30_000 });
}

export interface RecordingContext {
  context: BrowserContext;
  /** Every request any page of the context made, in order. */
  requests: string[];
}

export async function recordingContext(browser: Browser, opts: { httpCredentials?: { username: string; password: string }; viewport?: { width: number; height: number } } = {}): Promise<RecordingContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: opts.viewport ?? { width: 1400, height: 1000 }, httpCredentials: opts.httpCredentials });
  context.setDefaultTimeout(15_000);
  const requests: string[] = [];
  context.on('request', (r: Request) => requests.push(r.url()));
  return { context, requests };
}
