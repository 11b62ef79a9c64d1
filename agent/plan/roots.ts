// The roots Microsoft's endpoints must chain to, for the plan: the cloud catalogue's list, each certificate taken
// from Node's bundled root store by subject and thumbprint, or the PEM roots of tls.expectedRootsFile instead.
import { X509Certificate, createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { TlsRoot } from '../config/catalogue.js';
import { InputError, readInputFile } from '../errors.js';

export interface ExpectedRoot {
  /** A closed label value: the catalogue's id, or one made from the subject of a root in tls.expectedRootsFile. */
  id: string;
  subject: string;
  spkiSha256: string;
}

const commonNameOf = (dn: string) => dn.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? dn.split('\n').find((l) => l.startsWith('O='))?.slice(2) ?? '';
const spkiOf = (cert: X509Certificate) => createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

let bundled: X509Certificate[] | undefined;

/**
 * The catalogue's roots found in Node's bundled store: same common name, same SHA-1 thumbprint (as Microsoft lists
 * it) and same key. A root missing from the store (an older Node) is left out; the others still stand.
 */
export function resolveCatalogueRoots(roots: readonly TlsRoot[]): ExpectedRoot[] {
  bundled ??= rootCertificates.map((pem) => new X509Certificate(pem));
  const found: ExpectedRoot[] = [];
  for (const root of roots) {
    const cert = bundled.find((c) => commonNameOf(c.subject) === root.subject && c.fingerprint.replace(/:/g, '').toUpperCase() === root.sha1.toUpperCase());
    if (cert && spkiOf(cert) === root.spkiSha256) found.push({ id: root.id, subject: root.subject, spkiSha256: root.spkiSha256 });
  }
  return found;
}

/** The certificates of a PEM file as expected roots; ids from their common names ("Contoso Root CA" -> contoso-root-ca). */
export function readExpectedRootsFile(path: string, from: { file: string; key: string }): ExpectedRoot[] {
  const text = readInputFile(path, { ...from, what: 'roots file' });
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new InputError(from.file, from.key, `${path} holds no PEM certificate`);
  const roots: ExpectedRoot[] = [];
  for (const [i, block] of blocks.entries()) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch {
      throw new InputError(from.file, from.key, `certificate ${i + 1} in ${path} cannot be read`);
    }
    const subject = commonNameOf(cert.subject);
    let id = subject.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || `root-${i + 1}`;
    if (roots.some((r) => r.id === id)) id = `${id.slice(0, 58)}-${i + 1}`;
    roots.push({ id, subject, spkiSha256: spkiOf(cert) });
  }
  return roots;
}
