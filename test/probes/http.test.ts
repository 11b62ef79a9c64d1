import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan, type ProbeTarget } from '../../agent/plan/plan.js';
import { prepareTrust } from '../../agent/net/connector.js';
import { probeHttp } from '../../agent/probes/http/probe.js';
import { PHASES } from '../../agent/net/types.js';
import { startLab, type Lab } from '../lab/lab.js';
import { untilQuiet } from '../lab/quiet.js';
import { startSilent, startHttps, type Running } from '../lab/servers.js';
import { freePort } from '../lab/squid.js';
import { stringify } from 'yaml';

let lab: Lab;
let silent: Running;
let untrusted: Running;

beforeAll(async () => {
  lab = await startLab({ deny: ['provisioningapi.partner.microsoftonline.cn'], users: { 'FABRIKAM\\svc-sync': 'correct horse' }, extraHosts: ['hang.lab.test', 'untrusted.lab.test'] });
  silent = await startSilent(lab.address);
  untrusted = await startHttps(lab.ca.selfSigned('rogue', ['untrusted.lab.test']), lab.address);
});
afterAll(async () => {
  await lab?.stop();
  await silent?.close();
  await untrusted?.close();
});

function planFor(config: Record<string, unknown>) {
  return buildPlan(parseConfig(stringify({ tls: lab.tls, ...config }), 'test.yaml', {}), {});
}

function target(plan: ReturnType<typeof planFor>, endpoint: string, route: string): ProbeTarget {
  const t = plan.targets.find((x) => x.endpoint.id === endpoint && x.route.name === route);
  if (!t) throw new Error(`no target ${endpoint}/${route}`);
  return t;
}

describe('HTTP probe through a real squid', () => {
  it('reaches an HTTPS endpoint with CONNECT and times every phase, summing to the total', async () => {
    const plan = planFor({ routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const r = await probeHttp(target(plan, 'adminwebservice', 'proxy'), plan.settings);
    expect(r.reason, r.detail).toBeUndefined();
    expect(r.success).toBe(true);
    expect(r.proxyStatus).toBe(200);
    expect(r.httpStatus).toBe(200);
    for (const phase of ['dns', 'connect', 'proxy_connect', 'tls', 'request', 'transfer'] as const) expect(r.phases[phase]).toBeGreaterThan(0);
    const sum = PHASES.reduce((acc, p) => acc + (r.phases[p] ?? 0), 0);
    expect(Math.abs(sum - r.durationSeconds)).toBeLessThan(0.001);
    expect(r.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(r.tls?.issuer).toBe('entra-connect-monitor test CA');
  });

  it('reaches an HTTP (CRL) endpoint with an absolute-form GET to the proxy', async () => {
    const plan = planFor({ routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const r = await probeHttp(target(plan, 'digicert-crl3', 'proxy'), plan.settings);
    expect(r.success, r.detail).toBe(true);
    expect(r.httpStatus).toBe(200);
    expect(r.phases.proxy_connect).toBeUndefined();
    expect(r.phases.tls).toBeUndefined();
  });

  it('names a 403 from the proxy proxy_denied with the article remedy', async () => {
    const plan = planFor({ routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const r = await probeHttp(target(plan, 'provisioningapi', 'proxy'), plan.settings);
    expect(r.success).toBe(false);
    expect(r.reason).toBe('proxy_denied');
    expect(r.proxyStatus).toBe(403);
    expect(r.detail).toContain('ERR_ACCESS_DENIED');
    expect(r.remedy).toContain("the proxy hasn't been opened for the requested URL");
  });

  it('names a 407 proxy_auth_required and records the schemes offered', async () => {
    const plan = planFor({ routes: [{ name: 'auth', proxy: `http://127.0.0.1:${lab.squid.authPort}` }] });
    const r = await probeHttp(target(plan, 'login', 'auth'), plan.settings);
    expect(r.reason).toBe('proxy_auth_required');
    expect(r.proxyStatus).toBe(407);
    expect(r.proxyAuthSchemes).toEqual(['Basic']);
    expect(r.remedy).toContain('machine.config');
  });

  it('names a closed proxy port proxy_unreachable', async () => {
    const closed = await freePort();
    const plan = planFor({ routes: [{ name: 'gone', proxy: `http://127.0.0.1:${closed}` }] });
    const r = await probeHttp(target(plan, 'login', 'gone'), plan.settings);
    expect(r.reason).toBe('proxy_unreachable');
    expect(r.detail).toContain('ECONNREFUSED');
  });

  it('names a certificate the CA did not sign tls_untrusted', async () => {
    const plan = planFor({
      routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      catalogue: { add: [{ id: 'rogue', url: `https://untrusted.lab.test:${untrusted.port}/` }] },
    });
    const r = await probeHttp(target(plan, 'rogue', 'proxy'), plan.settings);
    expect(r.reason).toBe('tls_untrusted');
    expect(r.proxyStatus).toBe(200);
  });

  it('ends a probe of a hanging server as timeout within its timeout plus slack', async () => {
    const plan = planFor({
      routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      probes: { timeoutSeconds: 1 },
      catalogue: { add: [{ id: 'hang', url: `https://hang.lab.test:${silent.port}/` }] },
    });
    const started = Date.now();
    const r = await probeHttp(target(plan, 'hang', 'proxy'), plan.settings);
    const elapsed = Date.now() - started;
    expect(r.reason).toBe('timeout');
    expect(r.detail).toContain('tls');
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1500);
  });

  it('probes directly with DNS pinned to the lab', async () => {
    const plan = planFor({ routes: [{ name: 'direct' }], resolve: { 'login.partner.microsoftonline.cn': lab.address } });
    const r = await probeHttp(target(plan, 'login', 'direct'), plan.settings);
    expect(r.success, r.detail).toBe(true);
    expect(r.via).toBe('direct');
    expect(r.phases.proxy_connect).toBeUndefined();
  });

  it('marks a probe whose life saw a blocked event loop as timingDisturbed, and only that one', async () => {
    const plan = planFor({
      routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      catalogue: { add: [{ id: 'slow', url: 'https://adminwebservice.partner.microsoftonline.cn/?delayMs=80' }] },
    });
    prepareTrust(plan.settings.ca); // as the runner does: the trust store's parse must not land inside a probe
    const calm = await untilQuiet(() => probeHttp(target(plan, 'slow', 'proxy'), plan.settings), (r) => r.timingDisturbed === undefined);
    for (const r of calm) expect(r.success, r.detail).toBe(true);
    expect(calm.at(-1)!.timingDisturbed).toBeUndefined();
    const blocker = setTimeout(() => {
      const until = performance.now() + 40;
      while (performance.now() < until) {
        // the loop is blocked: every timestamp the probe takes after this comes late
      }
    }, 30);
    const disturbed = await probeHttp(target(plan, 'slow', 'proxy'), plan.settings);
    clearTimeout(blocker);
    expect(disturbed.success, disturbed.detail).toBe(true);
    expect(disturbed.timingDisturbed).toBe(true);
  });

  it('times the request phase from the request going out to the first response byte', async () => {
    const plan = planFor({
      routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }],
      catalogue: { add: [{ id: 'slow', url: 'https://adminwebservice.partner.microsoftonline.cn/?delayMs=50' }] },
    });
    const r = await probeHttp(target(plan, 'slow', 'proxy'), plan.settings);
    expect(r.success, r.detail).toBe(true);
    // libuv measures a timer against the loop's cached millisecond clock, so the server's 50 ms may end up to 1 ms
    // early on the client's high-resolution clock.
    expect(r.phases.request!).toBeGreaterThanOrEqual(0.05 - 0.001);
    expect(r.phases.request!).toBeLessThan(0.5);
  });
});
