// TLS truth through a real squid: a proxy's inspection root that this server trusts is still caught, the lab's own
// root passes once it is the expected one, and TLS 1.2 is what is offered unless the configuration says otherwise.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameMismatch } from '../../agent/net/connector.js';
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan, type ProbeTarget } from '../../agent/plan/plan.js';
import { probeHttp } from '../../agent/probes/http/probe.js';
import { REMEDIES } from '../../agent/probes/classify.js';
import { loadCatalogue } from '../../agent/config/catalogue.js';
import { runCli } from '../lab/agent-process.js';
import { catalogueHosts, startLab, type Lab } from '../lab/lab.js';
import { createTestCa, type TestCa } from '../lab/ca.js';
import { onFreeLoopback, startHttps, type Tracked } from '../lab/servers.js';
import { startSquid, type Squid } from '../lab/squid.js';

let lab: Lab;
let inspection: TestCa;
let inspecting: { address: string; server: Tracked; squid: Squid };
let tls13: Tracked;
let misnamed: Tracked;

beforeAll(async () => {
  lab = await startLab({ extraHosts: ['tls13.lab.test', 'misnamed.lab.test'] });
  // The proxy's inspection root, trusted by this server as group policy would push it, signing the Microsoft names.
  inspection = createTestCa('Fabrikam Proxy TLS Inspection Root');
  const names = catalogueHosts();
  const forged = inspection.issue('forged', names);
  const { address, value: server } = await onFreeLoopback((addr) => startHttps(forged, addr, 443));
  const squid = await startSquid({ hosts: Object.fromEntries(names.map((n) => [n, address])) });
  inspecting = { address, server, squid };
  tls13 = await startHttps(lab.ca.issue('tls13', ['tls13.lab.test']), lab.address, 0, undefined, { minVersion: 'TLSv1.3' });
  // Signed by the trusted lab root, for other names than the one the probe asks for.
  misnamed = await startHttps(lab.ca.issue('misnamed', ['other.lab.test', '*.wild.lab.test', lab.address]), lab.address, 0);
}, 60_000);
afterAll(async () => {
  await lab?.stop();
  await inspecting?.squid.stop();
  await inspecting?.server.close();
  await tls13?.close();
  await misnamed?.close();
});

const planFor = (config: Record<string, unknown>) => buildPlan(parseConfig(stringify(config), 'test.yaml', {}), {});
function target(plan: ReturnType<typeof planFor>, endpoint: string): ProbeTarget {
  const t = plan.targets.find((x) => x.endpoint.id === endpoint);
  if (!t) throw new Error(`no target ${endpoint}`);
  return t;
}

describe('TLS inspection', () => {
  it('a chain that validates through a trusted inspection root is tls_intercepted, naming the issuer seen', async () => {
    const plan = planFor({ tls: { caFile: inspection.certFile }, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${inspecting.squid.port}` }] });
    const r = await probeHttp(target(plan, 'adminwebservice'), plan.settings);
    expect(r.httpStatus).toBe(200); // the inspected path answers: only the chain tells
    expect(r.success).toBe(false);
    expect(r.reason).toBe('tls_intercepted');
    expect(r.detail).toContain('issued by CN=Fabrikam Proxy TLS Inspection Root');
    expect(r.detail).toContain('not to a root Microsoft\'s endpoints use');
    expect(r.remedy).toContain("It isn't supported to break and analyze traffic between Microsoft Entra Connect and Microsoft Entra ID. Doing so could disrupt the service.");
    expect(r.remedy).toContain('Exclude the Microsoft Entra endpoints from TLS inspection');
    expect(r.tls?.root).toBe('other');
    expect(r.tls?.chain.map((c) => c.subject)).toEqual([`CN=${catalogueHosts()[0]}`, 'CN=Fabrikam Proxy TLS Inspection Root']);
    expect(r.tls?.chain[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the same inspection is caught when the roots come from tls.expectedRootsFile and the inspection root is not among them', async () => {
    const plan = planFor({ tls: { caFile: inspection.certFile, expectedRootsFile: lab.ca.certFile }, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${inspecting.squid.port}` }] });
    const r = await probeHttp(target(plan, 'login'), plan.settings);
    expect(r.reason).toBe('tls_intercepted');
  });

  it('the lab root listed in tls.expectedRootsFile passes, and the chain ends at it', async () => {
    const plan = planFor({ tls: lab.tls, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const r = await probeHttp(target(plan, 'adminwebservice'), plan.settings);
    expect(r.reason, r.detail).toBeUndefined();
    expect(r.success).toBe(true);
    expect(r.tls?.root).toBe('entra-connect-monitor-test-ca');
    expect(r.tls?.chain.at(-1)?.subject).toBe('CN=entra-connect-monitor test CA');
    expect(r.tls?.earliestExpirySeconds).toBeLessThanOrEqual(r.tls!.validToSeconds);
  });

  it('an untrusted inspection root is tls_untrusted, and its remedy no longer suggests trusting it', async () => {
    const plan = planFor({ routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${inspecting.squid.port}` }] });
    const r = await probeHttp(target(plan, 'adminwebservice'), plan.settings);
    expect(r.reason).toBe('tls_untrusted');
    expect(r.remedy).toBe(REMEDIES.tls_untrusted);
    expect(r.remedy).toContain('exclude the Microsoft Entra endpoints from TLS inspection');
    expect(r.remedy).not.toMatch(/must be trusted|root must be|trust(ed)? (its|the inspection) root/);
  });
});

describe('the server name', () => {
  it('a trusted chain for other names is refused: tls_untrusted, naming the name asked and the names served', async () => {
    const plan = planFor({ tls: lab.tls, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }], catalogue: { add: [{ id: 'misnamed', url: `https://misnamed.lab.test:${misnamed.port}/`, category: 'custom' }] } });
    const r = await probeHttp(target(plan, 'misnamed'), plan.settings);
    expect(r.success).toBe(false);
    expect(r.reason).toBe('tls_untrusted');
    expect(r.detail).toContain('the certificate of misnamed.lab.test is not trusted (ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(r.httpStatus).toBeUndefined(); // refused before any request was sent
  });

  it('the leaf is matched the way Node matches it: DNS names, one wildcard label, IP addresses', () => {
    const leaf = new X509Certificate(lab.ca.issue('names', ['other.lab.test', '*.wild.lab.test', '127.0.0.9']).cert);
    expect(nameMismatch(leaf, 'other.lab.test')).toBeUndefined();
    expect(nameMismatch(leaf, 'a.wild.lab.test')).toBeUndefined();
    expect(nameMismatch(leaf, '127.0.0.9')).toBeUndefined();
    for (const wrong of ['a.b.wild.lab.test', 'wild.lab.test', 'misnamed.lab.test', '127.0.0.8']) {
      const err = nameMismatch(leaf, wrong) as NodeJS.ErrnoException | undefined;
      expect(err?.code, wrong).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(err?.message).toContain(`${wrong} is not in the cert's list: DNS:other.lab.test, DNS:*.wild.lab.test, IP Address:127.0.0.9`);
    }
    expect((nameMismatch(undefined, 'other.lab.test') as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});

describe('check --json of an inspected path', () => {
  it('reports tls_intercepted with the chain, the root as other, and exits 1', async () => {
    const file = lab.writeConfig({
      tls: { caFile: inspection.certFile },
      routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${inspecting.squid.port}` }],
      catalogue: { exclude: loadCatalogue('china').endpoints.filter((e) => e.id !== 'adminwebservice').map((e) => e.id) },
      probes: { timeoutSeconds: 5 },
    });
    const run = await runCli(['check', '--config', file, '--json']);
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as { results: Array<{ endpoint: string; reason: string; detail: string; remedy: string; tls: { version: string; cipher: string; root: string; chain: Array<{ subject: string; issuer: string; notAfter: string; sha256: string }> } }> };
    const r = report.results.find((x) => x.endpoint === 'adminwebservice')!;
    expect(r.reason).toBe('tls_intercepted');
    expect(r.detail).toContain('Fabrikam Proxy TLS Inspection Root');
    expect(r.tls.root).toBe('other');
    expect(r.tls.version).toBe('TLSv1.2');
    expect(r.tls.chain).toHaveLength(2);
    for (const c of r.tls.chain) {
      expect(Object.keys(c).sort()).toEqual(['issuer', 'notAfter', 'sha256', 'subject']);
      expect(new Date(c.notAfter).getTime()).toBeGreaterThan(Date.now());
    }
    expect(r.tls.chain[1]).toMatchObject({ subject: 'CN=Fabrikam Proxy TLS Inspection Root', issuer: 'CN=Fabrikam Proxy TLS Inspection Root' });
    const text = await runCli(['check', '--config', file]);
    expect(text.stdout).toMatch(/adminwebservice\s+corp-proxy\s+FAIL\s+\d+\s+tls_intercepted/);
  });
});

describe('TLS versions', () => {
  const withTls13 = (tls: Record<string, unknown>) =>
    planFor({ tls: { ...lab.tls, ...tls }, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }], catalogue: { add: [{ id: 'tls13-only', url: `https://tls13.lab.test:${tls13.port}/`, category: 'custom' }] } });

  it('by default only TLS 1.2 is offered: a TLS-1.3-only server fails the handshake', async () => {
    const r = await probeHttp(target(withTls13({}), 'tls13-only'), withTls13({}).settings);
    expect(r.reason).toBe('tls_handshake');
    expect(r.detail).toContain('offered TLSv1.2 only');
  });

  it('with maxVersion TLSv1.3 the same server passes, and the result names the version and cipher', async () => {
    const plan = withTls13({ maxVersion: 'TLSv1.3' });
    const r = await probeHttp(target(plan, 'tls13-only'), plan.settings);
    expect(r.success, r.detail).toBe(true);
    expect(r.tls?.version).toBe('TLSv1.3');
    expect(r.tls?.cipher).toMatch(/^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
  });

  it('a default probe of a dual-stack server negotiates TLS 1.2 with an ECDHE cipher', async () => {
    const plan = planFor({ tls: lab.tls, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const r = await probeHttp(target(plan, 'login'), plan.settings);
    expect(r.tls?.version).toBe('TLSv1.2');
    expect(r.tls?.cipher).toMatch(/^ECDHE-/);
  });
});
