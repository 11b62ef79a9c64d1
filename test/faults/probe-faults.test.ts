// Issue 7.1: every fault ends the probe with the right reason within its timeout + 1 s, against a real squid and
// real TLS servers on loopback (hand-written peers only where squid cannot show the fault). Issue 7.8: the squid
// route carries proxy credentials throughout, and the password shows in no result.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan, type ProbeTarget } from '../../agent/plan/plan.js';
import { probeHttp } from '../../agent/probes/http/probe.js';
import type { ProbeResult } from '../../agent/probes/http/result.js';
import { startLab, type Lab } from '../lab/lab.js';
import { startResetting, startSilent, type Running } from '../lab/servers.js';
import { startFakeProxy, startGarbageTcp, startResetOnData, startGarbageTls, startNxdomainDns, startTlsAlert, startTlsStall, startTrickle } from './fault-servers.js';

const PASSWORD = 'S3cret-probe-pass!word';
const USER = 'svc-sync';
const TIMEOUT_S = 1;
const NAMES = ['silent.fault.test', 'stall.fault.test', 'alert.fault.test', 'reset.fault.test', 'trickle.fault.test', 'garbage.fault.test', 'garbage-http.fault.test'];

let lab: Lab;
const servers: Record<string, Running> = {};
let dns: Awaited<ReturnType<typeof startNxdomainDns>>;
const proxies: Record<string, Running> = {};
let passwordFile: string;
const results: ProbeResult[] = [];
const table: Array<{ fault: string; route: string; reason: string; ms: number; detail: string }> = [];

beforeAll(async () => {
  lab = await startLab({ users: { [USER]: PASSWORD }, extraHosts: NAMES, dnsOnLabAddress: true });
  const pair = lab.ca.issue('faults', NAMES);
  servers.silent = await startSilent(lab.address);
  servers.stall = await startTlsStall(lab.address);
  servers.alert = await startTlsAlert(lab.address);
  servers.reset = await startResetOnData(lab.address);
  servers.resetAccept = await startResetting(lab.address);
  servers.trickle = await startTrickle(pair, lab.address);
  servers.garbage = await startGarbageTls(pair, lab.address);
  servers.garbageHttp = await startGarbageTcp(lab.address);
  // Port 53 of the lab's own loopback address: squid takes no port for its DNS server. Nothing leaves the box.
  dns = await startNxdomainDns(lab.address, 53);
  for (const mode of ['garbage', 'endless-headers', 'slow-headers', 'hostile-error'] as const) proxies[mode] = await startFakeProxy(mode);
  passwordFile = join(lab.dir, 'password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
});

afterAll(async () => {
  await lab?.stop();
  for (const s of [...Object.values(servers), ...Object.values(proxies)]) await s.close();
  await dns?.close();
  if (table.length > 0) {
    const rows = table.map((r) => `| ${r.fault} | ${r.route} | ${r.reason} | ${r.ms} | ${r.detail.replace(/\|/g, '/')} |`).join('\n');
    console.log(`\n| fault | route | reason | ms (timeout ${TIMEOUT_S * 1000}) | detail |\n|---|---|---|---|---|\n${rows}\n`);
  }
});

function plan() {
  const add = [
    { id: 'silent', url: `http://silent.fault.test:${servers.silent!.port}/` },
    { id: 'silent-tls', url: `https://silent.fault.test:${servers.silent!.port}/` },
    { id: 'stall', url: `https://stall.fault.test:${servers.stall!.port}/` },
    { id: 'alert', url: `https://alert.fault.test:${servers.alert!.port}/` },
    { id: 'reset', url: `https://reset.fault.test:${servers.reset!.port}/` },
    { id: 'reset-accept', url: `https://reset.fault.test:${servers.resetAccept!.port}/` },
    { id: 'trickle', url: `https://trickle.fault.test:${servers.trickle!.port}/` },
    { id: 'garbage', url: `https://garbage.fault.test:${servers.garbage!.port}/` },
    { id: 'garbage-http', url: `http://garbage-http.fault.test:${servers.garbageHttp!.port}/` },
    { id: 'nowhere', url: 'https://nowhere.fault.test/' },
  ];
  const resolve = Object.fromEntries(NAMES.map((n) => [n, lab.address]));
  const config = {
    tls: { caFile: lab.ca.certFile },
    probes: { timeoutSeconds: TIMEOUT_S },
    catalogue: { add },
    resolve,
    dns: { servers: [`${lab.address}:${dns.port}`] },
    routes: [
      { name: 'squid', proxy: `http://127.0.0.1:${lab.squid.authPort}`, credentials: { username: USER, passwordFile } },
      { name: 'direct' },
      ...Object.keys(proxies).map((mode) => ({ name: `fake-${mode}`, proxy: `http://127.0.0.1:${proxies[mode]!.port}` })),
    ],
  };
  return buildPlan(parseConfig(stringify(config), 'faults.yaml', {}), {});
}

async function probe(fault: string, endpoint: string, route: string): Promise<{ r: ProbeResult; ms: number }> {
  const p = plan();
  const t: ProbeTarget | undefined = p.targets.find((x) => x.endpoint.id === endpoint && x.route.name === route);
  if (!t) throw new Error(`no target ${endpoint}/${route}`);
  const started = performance.now();
  const r = await probeHttp(t, p.settings);
  const ms = Math.round(performance.now() - started);
  results.push(r);
  table.push({ fault, route, reason: r.reason ?? 'success', ms, detail: (r.detail ?? '').slice(0, 90) });
  expect(ms, `${fault}: ${r.detail}`).toBeLessThan(TIMEOUT_S * 1000 + 1000);
  return { r, ms };
}

describe('every fault is named within the timeout + 1 s', () => {
  it('the proxy route with credentials works at all (control)', async () => {
    const { r } = await probe('control: healthy endpoint', 'adminwebservice', 'squid');
    expect(r.success, r.detail).toBe(true);
  });

  it('server accepts and never answers: timeout', async () => {
    const { r } = await probe('accepts, never answers (HTTP)', 'silent', 'squid');
    expect(r.reason, r.detail).toBe('timeout');
    const direct = await probe('accepts, never answers (HTTP)', 'silent', 'direct');
    expect(direct.r.reason, direct.r.detail).toBe('timeout');
  });

  it('accepts TLS and never finishes the handshake: timeout with the phase in the detail', async () => {
    for (const [endpoint, fault] of [['stall', 'TLS handshake stalls after ServerHello bytes'], ['silent-tls', 'TLS: ClientHello never answered']] as const) {
      const { r } = await probe(fault, endpoint, 'squid');
      expect(r.reason, r.detail).toBe('timeout');
      expect(r.detail).toContain('tls');
    }
  });

  it('aborts the handshake: tls_handshake', async () => {
    for (const route of ['squid', 'direct']) {
      const { r } = await probe('TLS handshake aborted (alert)', 'alert', route);
      expect(r.reason, r.detail).toBe('tls_handshake');
      expect(r.detail).toContain('tls'.toUpperCase());
    }
  });

  it('resets the connection: connection_reset', async () => {
    for (const [endpoint, fault] of [['reset', 'TCP reset after the ClientHello'], ['reset-accept', 'TCP reset on accept']] as const) {
      const direct = await probe(fault, endpoint, 'direct');
      expect(direct.r.reason, direct.r.detail).toBe('connection_reset');
      // Through squid the reset reaches us as the tunnel closing (squid turns the RST into a FIN), or as squid's own error.
      const viaSquid = await probe(fault, endpoint, 'squid');
      expect(['connection_reset', 'proxy_error'], viaSquid.r.detail).toContain(viaSquid.r.reason);
    }
  });

  it('trickles the body a byte a second forever: timeout (the whole probe is bounded, not each read)', async () => {
    const { r, ms } = await probe('body trickles 1 byte/s', 'trickle', 'squid');
    expect(r.reason, r.detail).toBe('timeout');
    expect(r.httpStatus ?? 200).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 20);
  });

  it('sends garbage instead of HTTP: unexpected_body (in TLS) or proxy_error (squid answers for it)', async () => {
    const tls = await probe('garbage instead of HTTP (in TLS)', 'garbage', 'squid');
    expect(tls.r.reason, tls.r.detail).toBe('unexpected_body');
    // (Through squid a plain-HTTP garbage answer is relayed as an HTTP/0.9 200: squid's doing, not ours to name.)
    const direct = await probe('garbage instead of HTTP (plain)', 'garbage-http', 'direct');
    expect(direct.r.reason, direct.r.detail).toBe('unexpected_body');
  });

  it('the proxy answers CONNECT with garbage: proxy_error', async () => {
    const { r } = await probe('proxy answers CONNECT with garbage', 'adminwebservice', 'fake-garbage');
    expect(r.reason, r.detail).toBe('proxy_error');
    expect(r.detail).toContain('not HTTP');
  });

  it('the proxy answers CONNECT with headers that never end: proxy_error at the size cap, or timeout when slow', async () => {
    const fast = await probe('CONNECT answer headers never end (fast)', 'adminwebservice', 'fake-endless-headers');
    expect(fast.r.reason, fast.r.detail).toBe('proxy_error');
    expect(fast.r.detail).toContain('exceeds');
    const slow = await probe('CONNECT answer headers never end (1 line/s)', 'adminwebservice', 'fake-slow-headers');
    expect(slow.r.reason, slow.r.detail).toBe('timeout');
    expect(slow.r.detail).toContain('proxy_connect');
  });

  it('a name that does not resolve: dns on a direct route (loopback DNS server), proxy_error with squid\'s error through the proxy', async () => {
    const direct = await probe('name does not resolve (direct, NXDOMAIN)', 'nowhere', 'direct');
    expect(direct.r.reason, direct.r.detail).toBe('dns');
    expect(direct.r.detail).toContain('ENOTFOUND');
    expect(dns.queries()).toContain('nowhere.fault.test');
    const proxied = await probe('name does not resolve (through squid)', 'nowhere', 'squid');
    expect(proxied.r.reason, proxied.r.detail).toBe('proxy_error');
    expect(proxied.r.detail).toMatch(/ERR_[A-Z_]+/);
  });

  it('a hostile proxy error text stays in the detail, printable and truncated', async () => {
    const { r } = await probe('proxy 502 with hostile error text', 'adminwebservice', 'fake-hostile-error');
    expect(r.reason).toBe('proxy_error');
    expect(r.proxyStatus).toBe(502);
    expect(r.detail).not.toContain('\n');
    expect((r.detail ?? '').length).toBeLessThanOrEqual(303);
  });

  it('the proxy password appears in no result', () => {
    const all = JSON.stringify(results);
    expect(results.length).toBeGreaterThan(10);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});
