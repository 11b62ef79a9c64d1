// The revocation kind through a real squid: the served chain's CRL and OCSP URLs fetched as Windows fetches them
// (a GET of the CRL, an OCSP request POSTed), recorded under the catalogue rows covering their hosts; a host no row
// covers is fetched and becomes a finding; a proxy that denies a CRL host fails that row. The answers are real: a
// DER CRL from `openssl ca -gencrl`, an OCSP response from `openssl ocsp`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../../agent/config/config.js';
import { buildPlan } from '../../../agent/plan/plan.js';
import { ocspCertId, ocspRequest, readCrl, readOcspResponse } from '../../../agent/probes/revocation/answers.js';
import { DerError } from '../../../agent/probes/revocation/der.js';
import { runCheck } from '../../../agent/run/checks/registry.js';
import { checkJson, checkText } from '../../../agent/report/check-report.js';
import { Daemon } from '../../../agent/run/daemon.js';
import { httpProbe } from '../../../agent/probes/http/index.js';
import { revocationProbe } from '../../../agent/probes/revocation/index.js';
import { createLogger } from '../../../agent/log.js';
import { catalogueHosts } from '../../lab/lab.js';
import { createTestCa, type TestCa, type TestIntermediate } from '../../lab/ca.js';
import { LAB_REVOCATION, pemCertificates, startRevocationServer, type RevocationServer } from '../../lab/revocation.js';
import { onFreeLoopback, startHttps, type Tracked } from '../../lab/servers.js';
import { startSquid, waitFor, type Squid } from '../../lab/squid.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const { leafCrl: LEAF_CRL, leafCrl2: LEAF_CRL_2, ocsp: OCSP, uncoveredCrl: UNCOVERED_CRL } = LAB_REVOCATION;

let ca: TestCa;
let intermediate: TestIntermediate;
let leafPem: string;
let tlsServer: Tracked;
let revocation: RevocationServer;
let squid: Squid;
let denying: Squid;
let dir: string;

const certs = pemCertificates;

beforeAll(async () => {
  ca = createTestCa();
  intermediate = ca.intermediate('issuing', { crl: [UNCOVERED_CRL], ocsp: [OCSP] });
  const names = catalogueHosts();
  const leaf = intermediate.issue('microsoft', names, { crl: [LEAF_CRL, LEAF_CRL_2], ocsp: [OCSP] });
  leafPem = leaf.cert;
  // One loopback address: the "Microsoft" HTTPS server on 443 and the CA's revocation host on 80.
  const tls = await onFreeLoopback((addr) => startHttps(leaf, addr, 443));
  tlsServer = tls.value;
  revocation = await startRevocationServer(intermediate, tls.address, 80);
  const hosts = Object.fromEntries([...names, 'crl.uncovered-ca.example'].map((n) => [n, tls.address]));
  squid = await startSquid({ hosts });
  denying = await startSquid({ hosts, deny: ['crl4.digicert.com'] });
  dir = mkdtempSync(join(tmpdir(), 'ecm-revocation-'));
}, 60_000);
afterAll(async () => {
  await squid?.stop();
  await denying?.stop();
  await tlsServer?.close();
  await revocation?.close();
});

function planFor(config: Record<string, unknown>) {
  const tls = { caFile: ca.certFile, expectedRootsFile: ca.certFile };
  return buildPlan(parseConfig(stringify({ tls, ...config }), 'test.yaml', {}), {});
}

describe('what Windows asks and how the answers read', () => {
  it('builds the same OCSP request as openssl for the leaf (CertID: SHA-1 of the issuer name and key, the serial)', () => {
    const [leaf, inter] = certs(leafPem);
    const reqFile = join(intermediate.dir, 'openssl-req.der');
    const leafFile = join(intermediate.dir, 'leaf-for-ocsp.crt');
    writeFileSync(leafFile, leafPem);
    execFileSync('openssl', ['ocsp', '-issuer', intermediate.certFile, '-cert', leafFile, '-no_nonce', '-reqout', reqFile], { stdio: 'ignore' });
    expect(ocspRequest(ocspCertId(leaf!, inter!)).toString('hex')).toBe(readFileSync(reqFile).toString('hex'));
  });

  it('reads a real OCSP response (successful, good, next update) and a real CRL (validity window, nothing revoked)', () => {
    const [leaf, inter] = certs(leafPem);
    const certId = ocspCertId(leaf!, inter!);
    const answer = readOcspResponse(intermediate.ocspResponse(ocspRequest(certId)), certId);
    expect(answer).toMatchObject({ responseStatus: 'successful', certStatus: 'good' });
    expect(Date.parse(answer.nextUpdate!)).toBeGreaterThan(Date.now());
    const crl = readCrl(intermediate.crlDer());
    expect(crl.revoked).toBe(0);
    expect(Date.parse(crl.thisUpdate!)).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(Date.parse(crl.nextUpdate!)).toBeGreaterThan(Date.now());
  });

  it('mangled answers give a DerError or an answer, never another error or a hang', () => {
    const crl = intermediate.crlDer();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: crl.length }), fc.uint8Array({ maxLength: 32 }), (cut, noise) => {
        const bytes = Buffer.concat([crl.subarray(0, cut), noise]);
        for (const read of [readCrl, (b: Buffer) => readOcspResponse(b)]) {
          try {
            read(bytes);
          } catch (err) {
            if (!(err instanceof DerError)) return false;
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('revocation through a real squid', () => {
  it('check: fetches every URL of the served chain under its catalogue row, and an uncovered host is a finding', async () => {
    const plan = planFor({ routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${squid.port}` }] });
    const before = revocation.requests.length;
    const outcome = await runCheck(plan);
    const json = checkJson(outcome) as { revocation: Array<Record<string, unknown>> };
    const byUrl = new Map(json.revocation.map((r) => [r.url, r]));
    expect([...byUrl.keys()].sort()).toEqual([LEAF_CRL, LEAF_CRL_2, OCSP, UNCOVERED_CRL].sort());
    expect(byUrl.get(LEAF_CRL)).toMatchObject({ endpoint: 'digicert-crl3', type: 'crl', route: 'proxy', servedOver: ['proxy'], via: 'proxy', success: true, httpStatus: 200, crl: { revoked: 0 } });
    expect(byUrl.get(LEAF_CRL_2)).toMatchObject({ endpoint: 'digicert-crl4', type: 'crl', success: true });
    expect(byUrl.get(OCSP)).toMatchObject({ endpoint: 'digicert-ocsp', type: 'ocsp', success: true, ocsp: { responseStatus: 'successful', certStatus: 'good' } });
    expect(byUrl.get(OCSP)!.certificate).toContain('microsoft');
    const uncovered = byUrl.get(UNCOVERED_CRL)!;
    expect(uncovered).toMatchObject({ endpoint: null, type: 'crl', success: true });
    expect(uncovered.findings).toEqual([expect.objectContaining({ code: 'revocation_host_not_in_catalogue', host: 'crl.uncovered-ca.example' })]);
    const seen = revocation.requests.slice(before);
    expect(seen).toEqual(expect.arrayContaining(['GET /lab/leaf.crl', 'GET /lab/intermediate.crl', 'POST /']));
    await waitFor(() => readFileSync(squid.accessLog, 'utf8').includes('POST http://ocsp.digicert.com/'), 5_000, 'squid logging the OCSP POST');
    const text = checkText(outcome);
    expect(text).toContain('Certificate revocation');
    expect(text).toContain('revocation_host_not_in_catalogue');
    expect(text).toContain('pattern: crl.uncovered-ca.example');
  }, 60_000);

  it('the daemon: revocation series under the catalogue rows, a denied CRL host fails its row, the uncovered host is counted', async () => {
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      stringify({
        tls: { caFile: ca.certFile, expectedRootsFile: ca.certFile },
        routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${denying.port}` }],
        catalogue: { exclude: [] },
      }),
    );
    const daemon = new Daemon({ configFile: file, env: {}, logger: createLogger('silent'), probes: [httpProbe, revocationProbe] });
    try {
      await daemon.run('http');
      const results = await daemon.run('revocation');
      expect(results.length).toBe(4);
      const text = await daemon.metrics.registry.metrics();
      expect(text).toContain('entra_connect_revocation_probe_success{endpoint="digicert-crl3",route="proxy",type="crl"} 1');
      expect(text).toContain('entra_connect_revocation_probe_success{endpoint="digicert-ocsp",route="proxy",type="ocsp"} 1');
      expect(text).toContain('entra_connect_revocation_probe_success{endpoint="digicert-crl4",route="proxy",type="crl"} 0');
      expect(text).toContain('entra_connect_revocation_probe_failures_total{endpoint="digicert-crl4",route="proxy",type="crl",reason="proxy_denied"} 1');
      expect(text).toContain('entra_connect_revocation_urls{endpoint="digicert-crl3",route="proxy",type="crl"} 1');
      expect(text).toContain('entra_connect_revocation_uncovered_hosts 1');
      // No label carries a URL or a host that came from a certificate.
      expect(text).not.toMatch(/entra_connect_revocation_[a-z_]+\{[^}]*uncovered-ca/);
      const latest = daemon.history.latest('revocation');
      expect(latest.find((r) => r.url === LEAF_CRL_2)).toMatchObject({ success: false, reason: 'proxy_denied' });
      // A new plan without the crl4 row: that row's URL leaves the history; the uncovered host's and the others stay.
      writeFileSync(file, stringify({ tls: { caFile: ca.certFile, expectedRootsFile: ca.certFile }, routes: [{ name: 'proxy', proxy: `http://127.0.0.1:${denying.port}` }], catalogue: { exclude: ['digicert-crl4'] } }));
      expect(daemon.reload()).toEqual({ ok: true });
      await daemon.run('http');
      const kept = (daemon.history.latest('revocation') as typeof latest).map((r) => r.url).sort();
      expect(kept).toEqual([LEAF_CRL, OCSP, UNCOVERED_CRL].sort());
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
