// Revocation URLs from a served chain: read from the certificates' DER, mapped to catalogue rows, uncovered hosts as
// findings; and the lab's revocation host answering a real CRL and a real OCSP response through a real squid.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../agent/config/catalogue.js';
import { openConnection, closeConnection } from '../../../agent/net/connector.js';
import { PhaseClock } from '../../../agent/net/phase-clock.js';
import { exchange } from '../../../agent/net/http-exchange.js';
import { catalogueRowFor, certificateRevocationUrls, chainRevocationUrls, mapRevocationUrls } from '../../../agent/probes/revocation/urls.js';
import { createTestCa, type TestCa, type TestIntermediate } from '../../lab/ca.js';
import { LAB_REVOCATION, pemCertificates, startRevocationServer, type RevocationServer } from '../../lab/revocation.js';
import { onFreeLoopback, startHttps, type Tracked } from '../../lab/servers.js';
import { startSquid, type Squid } from '../../lab/squid.js';

const { leafCrl: LEAF_CRL, leafCrl2: LEAF_CRL_2, ocsp: OCSP, uncoveredCrl: UNCOVERED_CRL } = LAB_REVOCATION;
const HOST = 'login.partner.microsoftonline.cn';

let ca: TestCa;
let intermediate: TestIntermediate;
let leafPem: string;
let tlsServer: Tracked;
let revocation: RevocationServer;
let squid: Squid;
let ca2: TestCa;

const certs = pemCertificates;

beforeAll(async () => {
  ca = createTestCa();
  // The intermediate's own certificate names the root's CRL (uncovered host) and the shared OCSP responder.
  intermediate = ca.intermediate('issuing', { crl: [UNCOVERED_CRL], ocsp: [OCSP] });
  const leaf = intermediate.issue('leaf', [HOST], { crl: [LEAF_CRL, LEAF_CRL_2], ocsp: [OCSP] });
  leafPem = leaf.cert;
  const tls = await onFreeLoopback((addr) => startHttps(leaf, addr, 443));
  tlsServer = tls.value;
  const rev = await onFreeLoopback((addr) => startRevocationServer(intermediate, addr, 80));
  revocation = rev.value;
  squid = await startSquid({ hosts: { [HOST]: tls.address, 'crl3.digicert.com': rev.address, 'crl4.digicert.com': rev.address, 'ocsp.digicert.com': rev.address, 'crl.uncovered-ca.example': rev.address } });
  ca2 = createTestCa('plain root');
}, 60_000);
afterAll(async () => {
  await squid?.stop();
  await tlsServer?.close();
  await revocation?.close();
});

describe('revocation URLs of a certificate', () => {
  it('reads CRL distribution points and OCSP responders from the DER of leaf and intermediate', () => {
    const [leaf, inter] = certs(leafPem);
    expect(certificateRevocationUrls(leaf!)).toEqual({ crl: [LEAF_CRL, LEAF_CRL_2], ocsp: [OCSP] });
    expect(certificateRevocationUrls(inter!)).toEqual({ crl: [UNCOVERED_CRL], ocsp: [OCSP] });
  });

  it('a certificate without the extensions names none; ldap:// and https:// points are not fetched over HTTP', () => {
    expect(certificateRevocationUrls(new X509Certificate(ca.cert))).toEqual({ crl: [], ocsp: [] });
    const odd = ca2.issue('odd', ['odd.lab.test'], { crl: ['ldap://dir.example/cn=crl', 'https://secure.example/x.crl', 'http://ok.example/x.crl'] });
    expect(certificateRevocationUrls(certs(odd.cert)[0]!).crl).toEqual(['http://ok.example/x.crl']);
  });

  it('never throws on malformed DER: any bytes give a (possibly empty) answer', () => {
    const raw = new X509Certificate(leafPem).raw;
    const asCert = (bytes: Uint8Array) => ({ raw: Buffer.from(bytes) }) as unknown as X509Certificate;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: raw.length }), fc.uint8Array({ maxLength: 64 }), (cut, noise) => {
        const mangled = Buffer.concat([raw.subarray(0, cut), noise]);
        const r = certificateRevocationUrls(asCert(mangled));
        return Array.isArray(r.crl) && Array.isArray(r.ocsp);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a served chain, through a real squid', () => {
  it('names every URL once, maps covered hosts to catalogue rows, and an uncovered host is a finding with a snippet', async () => {
    const connection = await openConnection({ host: HOST, port: 443, tls: true, proxy: { host: '127.0.0.1', port: squid.port }, ca: [ca.cert], signal: AbortSignal.timeout(5000), clock: new PhaseClock() });
    const served: X509Certificate[] = [];
    served.push(...(connection.peerCertificates?.() ?? []));
    closeConnection(connection);
    expect(served).toHaveLength(2);
    const urls = chainRevocationUrls(served);
    expect(urls.map((u) => `${u.kind} ${u.url}`)).toEqual([`crl ${LEAF_CRL}`, `crl ${LEAF_CRL_2}`, `ocsp ${OCSP}`, `crl ${UNCOVERED_CRL}`]);
    const { mapped, findings } = mapRevocationUrls(urls, loadCatalogue('china').endpoints);
    expect(mapped.map((m) => [m.url, m.endpoint.id])).toEqual([[LEAF_CRL, 'digicert-crl3'], [LEAF_CRL_2, 'digicert-crl4'], [OCSP, 'digicert-ocsp']]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'revocation_host_not_in_catalogue', severity: 'warning', host: 'crl.uncovered-ca.example', kind: 'crl' });
    expect(findings[0]!.message).toContain('intermediate issuing');
    expect(findings[0]!.snippet).toContain('pattern: crl.uncovered-ca.example');
    expect(findings[0]!.snippet).toContain(`url: ${UNCOVERED_CRL}`);
    expect(findings[0]!.snippet).toContain('category: certificate');
  });

  it('the lab revocation host answers a GET of the CRL with a real DER CRL signed by the intermediate', async () => {
    const r = await exchange({ url: new URL(LEAF_CRL), hop: { host: '127.0.0.1', port: squid.port }, settings: { timeoutMs: 5000, resolve: {} }, clock: new PhaseClock(), signal: AbortSignal.timeout(5000), maxBodyBytes: 65536, keepBody: true, progress: {} });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/pkix-crl');
    const file = join(intermediate.dir, 'fetched.crl');
    writeFileSync(file, r.body);
    const out = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-issuer', '-CAfile', intermediate.certFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('intermediate issuing');
    expect(revocation.requests).toContain('GET /lab/leaf.crl');
  });

  it('answers an OCSP request for the leaf with a real response that says good', async () => {
    const leafFile = join(intermediate.dir, 'leaf.crt');
    const reqFile = join(intermediate.dir, 'probe-req.der');
    execFileSync('openssl', ['ocsp', '-issuer', intermediate.certFile, '-cert', leafFile, '-no_nonce', '-reqout', reqFile], { stdio: 'ignore' });
    const body = execFileSync('cat', [reqFile]);
    // Absolute-form POST to the proxy, as Windows sends an OCSP request through it.
    const answer = await new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: squid.port, method: 'POST', path: OCSP, headers: { host: 'ocsp.digicert.com', 'content-type': 'application/ocsp-request', 'content-length': body.length }, timeout: 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('OCSP request timed out')));
      req.end(body);
    });
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/ocsp-response');
    const respFile = join(intermediate.dir, 'probe-resp.der');
    writeFileSync(respFile, answer.body);
    const chainFile = join(intermediate.dir, 'trust.pem');
    writeFileSync(chainFile, ca.cert + intermediate.cert);
    const out = execFileSync('openssl', ['ocsp', '-respin', respFile, '-issuer', intermediate.certFile, '-cert', leafFile, '-CAfile', chainFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain(': good');
  });
});

describe('catalogueRowFor', () => {
  it('prefers a certificate row, an exact pattern, then the longest wildcard', () => {
    const global = loadCatalogue('global').endpoints;
    expect(catalogueRowFor('mscrl.microsoft.com', global)?.id).toBe('mscrl');
    expect(catalogueRowFor('a.crl.microsoft.com', global)?.id).toBe('microsoft-crl');
    expect(catalogueRowFor('oneocsp.microsoft.com', global)?.id).toBe('microsoft-oneocsp');
    expect(catalogueRowFor('www.example.org', global)).toBeUndefined();
  });
});
