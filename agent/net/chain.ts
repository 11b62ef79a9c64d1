// The facts of a served certificate chain: each certificate's subject, issuer, notAfter and fingerprint, and the trust
// anchor the chain validated to. Node's X509Certificate walk stops at the last certificate the server sent, so the
// anchor of a chain that does not carry its root is looked up in the trust store the connection used.
import { readFileSync } from 'node:fs';
import { X509Certificate, createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { sanitizeRemoteText } from './net-error.js';
import type { ChainCertificate, TlsFacts, TrustAnchor } from './types.js';

export type ChainFacts = Omit<TlsFacts, 'version' | 'cipher' | 'root'>;

const MAX_CHAIN = 16;

/** A distinguished name as X509Certificate prints it (one RDN a line) on one line: "CN=x, O=y". */
export function oneLineName(dn: string): string {
  return sanitizeRemoteText(dn.split('\n').filter(Boolean).join(', '), 200);
}

/** CN (or O) of a distinguished name as X509Certificate prints it. */
export function commonName(dn: string): string {
  const lines = dn.split('\n');
  const pick = (key: string) => lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
  return sanitizeRemoteText(pick('CN') ?? pick('O') ?? '', 200);
}

export function spkiSha256(cert: X509Certificate): string {
  return createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

const hex = (fingerprint: string) => fingerprint.replace(/:/g, '').toLowerCase();

function anchorOf(cert: X509Certificate): TrustAnchor {
  return { subject: oneLineName(cert.subject), sha256: hex(cert.fingerprint256), spkiSha256: spkiSha256(cert) };
}

// The trust store parsed once per set of anchors (the plan's `ca` array, or Node's bundled roots), by subject.
const stores = new WeakMap<readonly string[], Map<string, X509Certificate[]>>();

/** Parses the trust store ahead of the probes (see prepareTrust): ~150 certificates take tens of milliseconds. */
export function prepareAnchors(ca: readonly string[] | undefined): void {
  storeFor(ca);
}

// Without a `ca`, Node trusts its bundled roots plus NODE_EXTRA_CA_CERTS (read once, at start): so must the anchor
// search, or a chain to an extra root would look as if it ended nowhere.
let defaults: readonly string[] | undefined;
function defaultAnchors(): readonly string[] {
  if (defaults) return defaults;
  let extra: string[] = [];
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (file) {
    try {
      extra = [readFileSync(file, 'utf8')];
    } catch {
      // Node only warns about an unreadable NODE_EXTRA_CA_CERTS, and trusts nothing from it
    }
  }
  return (defaults = [...rootCertificates, ...extra]);
}

function storeFor(ca: readonly string[] | undefined): Map<string, X509Certificate[]> {
  const key = ca ?? defaultAnchors();
  let store = stores.get(key);
  if (!store) {
    store = new Map();
    for (const pem of key) {
      // A file may carry several certificates in one string; the bundled store has one each.
      for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
        try {
          const cert = new X509Certificate(block);
          store.set(cert.subject, [...(store.get(cert.subject) ?? []), cert]);
        } catch {
          // not a certificate Node can read: it cannot be an anchor either
        }
      }
    }
    stores.set(key, store);
  }
  return store;
}

/**
 * The anchor of a served chain, the way OpenSSL finds it (trusted first): walking from the leaf, the first served
 * certificate that is itself in the store (same subject and key: a root the server sent, or a cross-signed copy of
 * one), or whose issuer is in the store and verifies its signature.
 */
function findAnchor(served: readonly X509Certificate[], ca: readonly string[] | undefined): X509Certificate | undefined {
  const store = storeFor(ca);
  const issuerIn = (cert: X509Certificate) => store.get(cert.issuer)?.find((candidate) => cert.checkIssued(candidate) && cert.verify(candidate.publicKey));
  const selfSigned = (cert: X509Certificate) => cert.checkIssued(cert);
  for (const cert of served) {
    let found = store.get(cert.subject)?.find((candidate) => candidate.publicKey.equals(cert.publicKey)) ?? issuerIn(cert);
    // An intermediate in the store is not the end: the chain goes on to the root above it.
    for (let up = 0; found && !selfSigned(found) && up < MAX_CHAIN; up++) {
      const next = issuerIn(found);
      if (!next) break;
      found = next;
    }
    if (found) return found;
  }
  const last = served.at(-1);
  return last && last.checkIssued(last) && last.verify(last.publicKey) ? last : undefined;
}

/** The certificates the server sent, leaf first (Node links them through issuerCertificate), at most MAX_CHAIN. */
export function servedCertificates(leaf: X509Certificate | undefined): X509Certificate[] {
  const served: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let cert = leaf; cert && !seen.has(cert.fingerprint256) && seen.size < MAX_CHAIN; cert = cert.issuerCertificate) {
    seen.add(cert.fingerprint256);
    served.push(cert);
  }
  return served;
}

export function walkChain(leaf: X509Certificate, ca: readonly string[] | undefined): ChainFacts {
  const chain: ChainCertificate[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  const served = servedCertificates(leaf);
  for (const cert of served) {
    const notAfter = Date.parse(cert.validTo);
    earliest = Math.min(earliest, notAfter / 1000);
    chain.push({ subject: oneLineName(cert.subject), issuer: oneLineName(cert.issuer), notAfter: Number.isFinite(notAfter) ? new Date(notAfter).toISOString() : '', sha256: hex(cert.fingerprint256) });
  }
  const anchorCert = findAnchor(served, ca);
  const anchor = anchorCert ? anchorOf(anchorCert) : undefined;
  if (anchorCert && !chain.some((c) => c.sha256 === anchor!.sha256)) {
    chain.push({ subject: anchor!.subject, issuer: oneLineName(anchorCert.issuer), notAfter: new Date(Date.parse(anchorCert.validTo)).toISOString(), sha256: anchor!.sha256 });
  }
  const validTo = Date.parse(leaf.validTo) / 1000;
  return {
    subject: commonName(leaf.subject),
    issuer: commonName(leaf.issuer),
    validToSeconds: Number.isFinite(validTo) ? validTo : 0,
    earliestExpirySeconds: Number.isFinite(earliest) ? earliest : 0,
    chain,
    ...(anchor ? { anchor } : {}),
  };
}
