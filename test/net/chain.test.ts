// The anchor of a served chain as OpenSSL finds it: a cross-signed copy of a trusted root, or an intermediate that
// is itself in the trust store, must not hide the root the chain really ends at.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, openConnection } from '../../agent/net/connector.js';
import { PhaseClock } from '../../agent/net/phase-clock.js';
import { readExpectedRootsFile } from '../../agent/plan/roots.js';
import { judgeChain } from '../../agent/probes/tls-verdict.js';
import { createTestCa, type TestCa } from '../lab/ca.js';
import { startHttps, type Tracked } from '../lab/servers.js';

let root: TestCa;
let crossServer: Tracked;
let plainServer: Tracked;
let intermediatePem: string;
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();

beforeAll(async () => {
  root = createTestCa('Lab Root');
  const old = createTestCa('Old Root');
  // The lab root's key and name, signed by a root nobody trusts: what a server sends to reach older clients.
  const dir = root.dir;
  execFileSync('openssl', ['req', '-new', '-key', root.keyFile, '-subj', '/CN=Lab Root', '-out', join(dir, 'cross.csr')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'cross.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'cross.csr'), '-CA', old.certFile, '-CAkey', old.keyFile, '-CAcreateserial', '-out', join(dir, 'cross.crt'), '-days', '2', '-extfile', join(dir, 'cross.ext')], { stdio: 'ignore' });
  const issuing = root.intermediate('issuing');
  intermediatePem = issuing.cert;
  const leaf = issuing.issue('leaf', ['chain.lab.test']);
  crossServer = await startHttps({ ...leaf, cert: leaf.cert + readFileSync(join(dir, 'cross.crt'), 'utf8') }, '127.0.0.1', 0);
  plainServer = await startHttps(leaf, '127.0.0.1', 0);
}, 30_000);
afterAll(async () => {
  await crossServer?.close();
  await plainServer?.close();
});

async function tlsOf(port: number, ca: string[]) {
  const connection = await openConnection({ host: 'chain.lab.test', port, tls: true, ca, resolve: { 'chain.lab.test': '127.0.0.1' }, signal: AbortSignal.timeout(5000), clock: new PhaseClock() });
  closeConnection(connection);
  return connection.tls!;
}

describe('the anchor of a served chain', () => {
  it('a served cross-signed copy of the trusted root ends the chain at the trusted root', async () => {
    const tls = await tlsOf(crossServer.port, [root.cert]);
    expect(tls.chain.map((c) => c.subject)).toEqual(['CN=chain.lab.test', 'CN=Lab Root intermediate issuing', 'CN=Lab Root', 'CN=Lab Root']);
    expect(tls.chain[2]!.issuer).toBe('CN=Old Root');
    expect(tls.anchor?.sha256).toBe(fingerprint(root.cert));
    expect(judgeChain(tls, readExpectedRootsFile(root.certFile, { file: 't.yaml', key: 'k' }), 'chain.lab.test')).toEqual({ root: 'lab-root' });
  });

  it('an intermediate that is itself in the trust store still ends the chain at its root', async () => {
    const tls = await tlsOf(plainServer.port, [intermediatePem, root.cert]);
    expect(tls.anchor?.subject).toBe('CN=Lab Root');
    expect(tls.chain.at(-1)?.subject).toBe('CN=Lab Root');
  });

  it('a chain ending at a root not expected is judged intercepted, naming the issuer', async () => {
    const tls = await tlsOf(plainServer.port, [root.cert]);
    const other = createTestCa('Someone Else');
    const verdict = judgeChain(tls, readExpectedRootsFile(other.certFile, { file: 't.yaml', key: 'k' }), 'chain.lab.test');
    expect(verdict?.root).toBe('other');
    expect(verdict?.intercepted).toContain('issued by CN=Lab Root intermediate issuing and chains to the root CN=Lab Root');
    expect(judgeChain(tls, [], 'chain.lab.test')).toBeUndefined();
  });
});
