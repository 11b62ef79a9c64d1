// What the network layer measures and hands up: phases on one clock, TLS facts, the stable TLS error codes.
// Probes and everything above read these types; net/ itself knows hops, not routes, plans or failure reasons.
import type { ProxyAuthenticator } from './auth/scheme.js';

// proxy_auth: the round trips and token making of proxy authentication, up to the request that went through.
export const PHASES = ['dns', 'connect', 'proxy_connect', 'proxy_auth', 'tls', 'request', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

// The TLS versions a client may offer are a configuration value; the sync engine needs TLS 1.2, so that is the
// default, both ends.
import type { TlsVersion } from '../config/values.js';
export { TLS_VERSIONS, type TlsVersion } from '../config/values.js';
export interface TlsVersionRange {
  min: TlsVersion;
  max: TlsVersion;
}
export const DEFAULT_TLS_VERSIONS: TlsVersionRange = { min: 'TLSv1.2', max: 'TLSv1.2' };

/** One certificate of a chain as reports show it (remote text: printable and short, never a label value). */
export interface ChainCertificate {
  subject: string;
  issuer: string;
  notAfter: string; // ISO 8601
  sha256: string; // certificate fingerprint, hex
}

/** The trust anchor a chain validated to: the server's last certificate when it sent its root, else from the trust store. */
export interface TrustAnchor {
  subject: string;
  sha256: string;
  /** SHA-256 of the anchor's SubjectPublicKeyInfo: a root re-issued or cross-signed keeps its key. */
  spkiSha256: string;
}

export interface TlsFacts {
  version: string; // e.g. TLSv1.3
  cipher: string;
  subject: string; // CN of the leaf certificate
  issuer: string; // CN (or O) of the leaf's issuer
  validToSeconds: number; // leaf notAfter, Unix seconds
  earliestExpirySeconds: number; // the soonest notAfter in the chain the server sent
  /** The certificates the server sent, leaf first, then the anchor when the server did not send it. */
  chain: ChainCertificate[];
  anchor?: TrustAnchor;
  /** Set by the probes: the catalogue's id of the root the chain ended at, or `other`. */
  root?: string;
}

/** One proxy a connection goes through. */
export interface ProxyHop {
  host: string;
  port: number;
  /** Answers the proxy's 407s (Basic, NTLM, Negotiate); it holds secrets and never prints them. */
  authenticator?: ProxyAuthenticator;
}

/** What every connection needs besides its target: the deadline, trust anchors and name resolution. */
export interface NetSettings {
  timeoutMs: number;
  /** System roots plus tls.caFile and NODE_EXTRA_CA_CERTS; undefined when nothing extra is trusted. */
  ca?: string[];
  resolve: Record<string, string>;
  /** The TLS versions offered (config tls.minVersion, tls.maxVersion); TLS 1.2 only when absent. */
  tlsVersions?: TlsVersionRange;
  /** config dns.servers: ask these instead of the system resolver. */
  dnsServers?: string[];
}

// OpenSSL's and Node's codes for a certificate the client does not accept (as opposed to a handshake that failed).
const TLS_UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'INVALID_CA',
]);

export function isUntrustedCertificateCode(code: string): boolean {
  return TLS_UNTRUSTED_CODES.has(code);
}
