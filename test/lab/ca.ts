// Throwaway test CAs made with the openssl CLI: a trusted root, server certificates it signs, an untrusted
// self-signed one, and intermediates whose certificates carry CRL and OCSP URLs (each with the openssl `ca` database
// that a real CRL and a real OCSP response are made from). A second root made the same way plays a proxy's TLS
// inspection root.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  /** What a server sends: the certificate, then its intermediates when an intermediate issued it. */
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface RevocationUrls {
  /** CRL distribution points written into the certificates this issuer signs. */
  crl?: string[];
  /** OCSP responder URLs (authority information access) written into them. */
  ocsp?: string[];
}

export interface Issuer extends KeyPair {
  dir: string;
  issue(name: string, dnsNames: string[], opts?: { days?: number } & RevocationUrls): KeyPair;
}

export interface TestIntermediate extends Issuer {
  /** A DER CRL of this intermediate (`openssl ca -gencrl`), listing nothing revoked. */
  crlDer(): Buffer;
  /** The DER OCSP response (`openssl ocsp`, this intermediate signing) to a DER OCSP request for a certificate it issued. */
  ocspResponse(requestDer: Buffer): Buffer;
}

export interface TestCa extends Issuer {
  /** A self-signed certificate no CA we trust has signed. */
  selfSigned(name: string, dnsNames: string[]): KeyPair;
  /** An intermediate CA under this root; its own certificate carries `urls` (the root's CRL and OCSP). */
  intermediate(name: string, urls?: RevocationUrls): TestIntermediate;
}

function openssl(args: string[], cwd: string, input?: Buffer): Buffer {
  return execFileSync('openssl', args, { cwd, input, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

function pair(dir: string, name: string, chain = ''): KeyPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8') + chain, key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const san = (names: string[]) => `subjectAltName=${names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`;

function revocationExtensions(urls: RevocationUrls): string {
  const lines: string[] = [];
  if (urls.crl?.length) lines.push(`crlDistributionPoints=${urls.crl.map((u) => `URI:${u}`).join(',')}`);
  if (urls.ocsp?.length) lines.push(`authorityInfoAccess=${urls.ocsp.map((u) => `OCSP;URI:${u}`).join(',')}`);
  return lines.map((l) => `${l}\n`).join('');
}

/** An issuer over a key pair in `dir`; what it signs is recorded in its `ca` database (index.txt) for CRLs and OCSP. */
function issuerIn(dir: string, self: KeyPair, chainOfSelf: string): Issuer {
  mkdirSync(join(dir, 'db'), { recursive: true });
  writeFileSync(join(dir, 'db', 'index.txt'), '');
  return {
    ...self,
    dir,
    issue(name, dnsNames, opts = {}) {
      writeFileSync(join(dir, `${name}.ext`), `${san(dnsNames)}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n${revocationExtensions(opts)}`);
      openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${dnsNames[0]}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', self.certFile, '-CAkey', self.keyFile, '-CAcreateserial', '-out', `${name}.crt`,
        '-days', String(opts.days ?? 2), '-extfile', `${name}.ext`], dir);
      record(dir, `${name}.crt`);
      return pair(dir, name, chainOfSelf);
    },
  };
}

/** Adds a certificate to the issuer's index.txt as valid (V), as `openssl ca` would have. */
function record(dir: string, certFile: string): void {
  const serial = openssl(['x509', '-in', certFile, '-noout', '-serial'], dir).toString().trim().replace(/^serial=/, '');
  const end = openssl(['x509', '-in', certFile, '-noout', '-enddate'], dir).toString().trim().replace(/^notAfter=/, '');
  const d = new Date(end);
  const two = (n: number) => String(n).padStart(2, '0');
  const expiry = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  const subject = openssl(['x509', '-in', certFile, '-noout', '-subject', '-nameopt', 'compat'], dir).toString().trim().replace(/^subject=\s*/, '');
  appendFileSync(join(dir, 'db', 'index.txt'), `V\t${expiry}\t\t${serial}\tunknown\t${subject}\n`);
}

export function createTestCa(subject = 'entra-connect-monitor test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'ecm-ca-'));
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', `/CN=${subject}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const root = issuerIn(dir, pair(dir, 'ca'), '');
  return {
    ...root,
    selfSigned(name, dnsNames) {
      openssl(['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${dnsNames[0]}`,
        '-addext', san(dnsNames)], dir);
      return pair(dir, name);
    },
    intermediate(name, urls = {}) {
      const sub = join(dir, name);
      mkdirSync(sub);
      writeFileSync(join(sub, 'self.ext'), `basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n${revocationExtensions(urls)}`);
      openssl(['req', ...EC, '-keyout', 'self.key', '-out', 'self.csr', '-subj', `/CN=${subject} intermediate ${name}`], sub);
      openssl(['x509', '-req', '-in', 'self.csr', '-CA', root.certFile, '-CAkey', root.keyFile, '-CAcreateserial', '-out', 'self.crt', '-days', '2', '-extfile', 'self.ext'], sub);
      record(dir, join(sub, 'self.crt'));
      const self = pair(sub, 'self');
      const issuer = issuerIn(sub, self, self.cert);
      writeFileSync(join(sub, 'db', 'crlnumber'), '01\n');
      writeFileSync(join(sub, 'ca.cnf'), [
        '[ ca ]', 'default_ca = lab', '[ lab ]', `database = ${join(sub, 'db', 'index.txt')}`, `crlnumber = ${join(sub, 'db', 'crlnumber')}`,
        `certificate = ${self.certFile}`, `private_key = ${self.keyFile}`, 'default_md = sha256', 'default_crl_days = 1', '',
      ].join('\n'));
      return {
        ...issuer,
        crlDer() {
          const pem = openssl(['ca', '-gencrl', '-config', 'ca.cnf'], sub);
          return openssl(['crl', '-outform', 'DER'], sub, pem);
        },
        ocspResponse(requestDer) {
          writeFileSync(join(sub, 'ocsp-req.der'), requestDer);
          openssl(['ocsp', '-index', join('db', 'index.txt'), '-rsigner', 'self.crt', '-rkey', 'self.key', '-CA', 'self.crt', '-reqin', 'ocsp-req.der', '-respout', 'ocsp-resp.der', '-ndays', '1'], sub);
          return readFileSync(join(sub, 'ocsp-resp.der'));
        },
      };
    },
  };
}
