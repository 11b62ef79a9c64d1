// A throwaway test CA made with the openssl CLI: a trusted CA, server certificates it signs, and an untrusted one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestCa extends KeyPair {
  dir: string;
  issue(name: string, dnsNames: string[], opts?: { days?: number }): KeyPair;
  /** A self-signed certificate no CA we trust has signed. */
  selfSigned(name: string, dnsNames: string[]): KeyPair;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

function pair(dir: string, name: string): KeyPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'ecm-ca-'));
  openssl(['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=entra-connect-monitor test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const ca = pair(dir, 'ca');
  const san = (names: string[]) => `subjectAltName=${names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`;
  return {
    ...ca,
    dir,
    issue(name, dnsNames, opts = {}) {
      writeFileSync(join(dir, `${name}.ext`), `${san(dnsNames)}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${dnsNames[0]}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`,
        '-days', String(opts.days ?? 2), '-extfile', `${name}.ext`], dir);
      return pair(dir, name);
    },
    selfSigned(name, dnsNames) {
      openssl(['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${dnsNames[0]}`,
        '-addext', san(dnsNames)], dir);
      return pair(dir, name);
    },
  };
}
