// The revocation URLs a served chain names, as Windows would fetch them: the CRL distribution points and the OCSP
// responders of every certificate (leaf and intermediates), read from the certificates' own DER. Each URL is mapped to
// the catalogue row whose pattern covers its host, so series keep catalogue ids as labels; a host no row covers is a
// finding with a catalogue entry to add, never a series.
import type { X509Certificate } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { hostMatchesPattern, type Endpoint } from '../../config/catalogue.js';
import { sanitizeRemoteText } from '../../net/net-error.js';
import type { Finding } from '../../finding.js';
import { ocspCertId } from './answers.js';
import { DerError, bytesOf, certificateExtensions, children, oid, readTlv } from './der.js';

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const OCSP_METHOD = '1.3.6.1.5.5.7.48.1';
const URI_NAME = 0x86; // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String
const FULL_NAME = 0xa0; // DistributionPointName fullName [0]
const DISTRIBUTION_POINT = 0xa0; // DistributionPoint distributionPoint [0]
/** Bounds on what one certificate may make us fetch: a hostile chain does not become a thousand probes. */
const MAX_URLS_PER_CERT = 8;
const MAX_URL_LENGTH = 2048;

export type RevocationKind = 'crl' | 'ocsp';

export interface RevocationUrl {
  kind: RevocationKind;
  url: string;
  host: string;
  /** Subject of the first certificate that named the URL (remote text: for details only). */
  certificate: string;
  /** For an OCSP URL: the DER CertID (hex) of that certificate, which the probe asks the responder about. */
  certId?: string;
}

/** Only plain-HTTP URLs: Windows fetches CRLs and OCSP over HTTP (an ldap:// point is not fetched through a proxy). */
function httpUrl(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_URL_LENGTH) return undefined;
  const text = Buffer.from(bytes).toString('latin1');
  try {
    const url = new URL(text);
    return url.protocol === 'http:' && url.hostname !== '' && !url.username && !url.password ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function crlUrls(ext: Uint8Array): string[] {
  const urls: string[] = [];
  for (const point of children(ext, readTlv(ext, 0))) {
    const name = children(ext, point).find((t) => t.tag === DISTRIBUTION_POINT);
    const full = name ? children(ext, name).find((t) => t.tag === FULL_NAME) : undefined;
    for (const general of full ? children(ext, full) : []) {
      const url = general.tag === URI_NAME ? httpUrl(bytesOf(ext, general)) : undefined;
      if (url) urls.push(url);
    }
  }
  return urls;
}

function ocspUrls(ext: Uint8Array): string[] {
  const urls: string[] = [];
  for (const access of children(ext, readTlv(ext, 0))) {
    const [method, location] = children(ext, access);
    if (!method || !location || method.tag !== 0x06 || oid(bytesOf(ext, method)) !== OCSP_METHOD || location.tag !== URI_NAME) continue;
    const url = httpUrl(bytesOf(ext, location));
    if (url) urls.push(url);
  }
  return urls;
}

/** The HTTP CRL and OCSP URLs one certificate names; a certificate whose extensions cannot be read names none. */
export function certificateRevocationUrls(cert: X509Certificate): { crl: string[]; ocsp: string[] } {
  try {
    const extensions = certificateExtensions(cert.raw);
    const crl = extensions.get(CRL_DISTRIBUTION_POINTS);
    const aia = extensions.get(AUTHORITY_INFO_ACCESS);
    return { crl: (crl ? crlUrls(crl) : []).slice(0, MAX_URLS_PER_CERT), ocsp: (aia ? ocspUrls(aia) : []).slice(0, MAX_URLS_PER_CERT) };
  } catch (err) {
    if (err instanceof DerError) return { crl: [], ocsp: [] };
    throw err;
  }
}

/** Every revocation URL of a chain (leaf first), each once; a self-signed root names none worth fetching. */
export function chainRevocationUrls(chain: readonly X509Certificate[]): RevocationUrl[] {
  const seen = new Set<string>();
  const out: RevocationUrl[] = [];
  for (const [index, cert] of chain.entries()) {
    const { crl, ocsp } = certificateRevocationUrls(cert);
    const issuer = chain[index + 1];
    const named: Array<[RevocationKind, string]> = [...crl.map((u) => ['crl', u] as [RevocationKind, string]), ...ocsp.map((u) => ['ocsp', u] as [RevocationKind, string])];
    for (const [kind, url] of named) {
      const key = `${kind} ${url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const certId = kind === 'ocsp' && issuer ? certIdOf(cert, issuer) : undefined;
      out.push({ kind, url, host: new URL(url).hostname, certificate: sanitizeRemoteText(cert.subject.split('\n').join(', '), 200), ...(certId ? { certId } : {}) });
    }
  }
  return out;
}

function certIdOf(cert: X509Certificate, issuer: X509Certificate): string | undefined {
  try {
    return ocspCertId(cert, issuer).toString('hex');
  } catch (err) {
    if (err instanceof DerError) return undefined;
    throw err;
  }
}

// A chain's URLs, by the leaf's fingerprint: every probe of an endpoint sees the same chain, read once.
const urlsByLeaf = new Map<string, RevocationUrl[]>();
const MAX_CHAINS = 256;

/** The revocation URLs of a served chain (leaf first), read once per distinct leaf (`leafSha256`). */
export function servedRevocationUrls(leafSha256: string, chain: () => readonly X509Certificate[]): RevocationUrl[] {
  const known = urlsByLeaf.get(leafSha256);
  if (known) return known;
  const urls = chainRevocationUrls(chain());
  if (urlsByLeaf.size >= MAX_CHAINS) urlsByLeaf.delete(urlsByLeaf.keys().next().value!);
  urlsByLeaf.set(leafSha256, urls);
  return urls;
}

/** The catalogue row for a host: a certificate row before any other, an exact pattern before a wildcard, then the longest. */
export function catalogueRowFor(host: string, endpoints: readonly Endpoint[]): Endpoint | undefined {
  const rank = (e: Endpoint) => [e.category === 'certificate' ? 0 : 1, e.pattern.startsWith('*.') ? 1 : 0, -e.pattern.length] as const;
  const covering = endpoints.filter((e) => hostMatchesPattern(host, e.pattern));
  return covering.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  })[0];
}

export interface MappedRevocationUrl extends RevocationUrl {
  endpoint: Endpoint;
}

export interface RevocationFinding extends Finding {
  code: 'revocation_host_not_in_catalogue';
  host: string;
  url: string;
  kind: RevocationKind;
  certificate: string;
  /** A catalogue entry (YAML) that adds the host to the probes. */
  snippet: string;
}

const NOT_IN_CATALOGUE_REMEDY =
  'Windows checks the revocation of the certificates Microsoft Entra endpoints serve by fetching these URLs over HTTP/80 through the proxy. ' +
  'Allow the host in the proxy, and add it to the probes (the snippet is a catalogue entry) so the monitor tests it.';

function snippetFor(u: RevocationUrl): string {
  const id = `${u.host.split('.').slice(0, 2).join('-')}-${u.kind}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63);
  const entry = {
    id,
    pattern: u.host,
    url: u.kind === 'crl' ? u.url : `http://${u.host}/`,
    description: u.kind === 'crl' ? 'CRL distribution point named by a served certificate.' : 'OCSP responder named by a served certificate.',
    category: 'certificate',
  };
  return toYaml([entry]).trimEnd();
}

/** Each URL under its catalogue row; a URL whose host no row covers becomes a finding (one per host). */
export function mapRevocationUrls(urls: readonly RevocationUrl[], endpoints: readonly Endpoint[]): { mapped: MappedRevocationUrl[]; findings: RevocationFinding[] } {
  const mapped: MappedRevocationUrl[] = [];
  const findings: RevocationFinding[] = [];
  for (const u of urls) {
    const endpoint = catalogueRowFor(u.host, endpoints);
    if (endpoint) {
      mapped.push({ ...u, endpoint });
      continue;
    }
    if (findings.some((f) => f.host === u.host)) continue;
    findings.push({
      code: 'revocation_host_not_in_catalogue',
      severity: 'warning',
      message: `${u.certificate} names ${u.kind === 'crl' ? 'the CRL' : 'the OCSP responder'} ${sanitizeRemoteText(u.url, 200)}, whose host ${u.host} no catalogue entry covers.`,
      remedy: NOT_IN_CATALOGUE_REMEDY,
      host: u.host,
      url: u.url,
      kind: u.kind,
      certificate: u.certificate,
      snippet: snippetFor(u),
    });
  }
  return { mapped, findings };
}
