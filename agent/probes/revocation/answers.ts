// What Windows asks a revocation host and how it reads the answer: an OCSP request for one certificate (RFC 6960,
// CertID with SHA-1 as CryptoAPI sends it), the OCSP response's status and the certificate's status in it, and a
// CRL's validity window (RFC 5280). Signatures are not verified: the probe asks whether the path to the revocation
// host works and what it answered, not whether the CA is honest; Windows verifies them itself.
import { createHash, type X509Certificate } from 'node:crypto';
import { DerError, bytesOf, children, oid, readTlv, type Tlv } from './der.js';

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const ENUMERATED = 0x0a;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const EXPLICIT_0 = 0xa0;
const SHA1_ALGORITHM = Buffer.from('300906052b0e03021a0500', 'hex'); // SEQUENCE { id-sha1, NULL }
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';

function encode(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}

const whole = (buf: Uint8Array, tlv: Tlv, headerStart: number) => buf.subarray(headerStart, tlv.end);

/** The TBSCertificate's fields we need: the serial number element, the subject Name element, the public key bits. */
function tbsFields(der: Uint8Array): { serial: Uint8Array; subject: Uint8Array; publicKey: Uint8Array } {
  const cert = readTlv(der, 0);
  const [tbs] = children(der, cert);
  if (cert.tag !== SEQUENCE || !tbs || tbs.tag !== SEQUENCE) throw new DerError('not a certificate');
  // Element starts are needed to copy whole elements: walk the TBSCertificate by offsets.
  const parts: Array<{ tlv: Tlv; at: number }> = [];
  for (let at = tbs.start; at < tbs.end && parts.length < 16; ) {
    const tlv = readTlv(der, at, tbs.end);
    parts.push({ tlv, at });
    at = tlv.end;
  }
  const fields = parts[0]?.tlv.tag === EXPLICIT_0 ? parts.slice(1) : parts; // [0] version is optional
  const [serial, , , , subject, spki] = fields;
  if (!serial || serial.tlv.tag !== INTEGER || !subject || subject.tlv.tag !== SEQUENCE || !spki || spki.tlv.tag !== SEQUENCE) throw new DerError('malformed TBSCertificate');
  const bits = children(der, spki.tlv)[1];
  if (!bits || bits.tag !== BIT_STRING || bits.end - bits.start < 2) throw new DerError('malformed public key');
  return { serial: whole(der, serial.tlv, serial.at), subject: whole(der, subject.tlv, subject.at), publicKey: der.subarray(bits.start + 1, bits.end) };
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest();

/** The DER CertID that names `cert` to its issuer's OCSP responder (hash of the issuer's name and key, the serial). */
export function ocspCertId(cert: X509Certificate, issuer: X509Certificate): Buffer {
  const ours = tbsFields(cert.raw);
  const theirs = tbsFields(issuer.raw);
  return encode(SEQUENCE, Buffer.concat([SHA1_ALGORITHM, encode(OCTET_STRING, sha1(theirs.subject)), encode(OCTET_STRING, sha1(theirs.publicKey)), ours.serial]));
}

/** An OCSPRequest asking about one certificate, unsigned and without a nonce (as CryptoAPI sends it). */
export function ocspRequest(certId: Buffer): Buffer {
  const request = encode(SEQUENCE, certId);
  const requestList = encode(SEQUENCE, request);
  const tbsRequest = encode(SEQUENCE, requestList);
  return encode(SEQUENCE, tbsRequest);
}

const OCSP_RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'unused', 'sigRequired', 'unauthorized'] as const;
export type OcspResponseStatus = (typeof OCSP_RESPONSE_STATUS)[number] | 'unknown';
export type CertStatus = 'good' | 'revoked' | 'unknown';

export interface OcspAnswer {
  responseStatus: OcspResponseStatus;
  /** The status of the certificate asked about, when the response is successful and names it. */
  certStatus?: CertStatus;
  nextUpdate?: string;
}

function time(buf: Uint8Array, tlv: Tlv): string | undefined {
  const text = Buffer.from(bytesOf(buf, tlv)).toString('latin1');
  const m = tlv.tag === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : tlv.tag === GENERALIZED_TIME ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text) : null;
  if (!m) return undefined;
  const year = tlv.tag === UTC_TIME ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  const at = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(at) ? new Date(at).toISOString() : undefined;
}

/** Reads an OCSPResponse; throws DerError when the bytes are not one. */
export function readOcspResponse(der: Uint8Array, certId?: Uint8Array): OcspAnswer {
  const top = readTlv(der, 0);
  if (top.tag !== SEQUENCE || top.end !== der.length) throw new DerError('not an OCSP response');
  const [status, wrapped] = children(der, top);
  if (!status || status.tag !== ENUMERATED || status.end - status.start !== 1) throw new DerError('no OCSP response status');
  const code = der[status.start]!;
  const responseStatus: OcspResponseStatus = OCSP_RESPONSE_STATUS[code] ?? 'unknown';
  if (responseStatus !== 'successful' || !wrapped || wrapped.tag !== EXPLICIT_0) return { responseStatus };
  const [responseBytes] = children(der, wrapped);
  const [type, octets] = responseBytes ? children(der, responseBytes) : [];
  if (!type || !octets || octets.tag !== OCTET_STRING || oid(bytesOf(der, type)) !== OCSP_BASIC) return { responseStatus };
  const basic = bytesOf(der, octets);
  const [tbs] = children(basic, readTlv(basic, 0));
  if (!tbs || tbs.tag !== SEQUENCE) throw new DerError('malformed BasicOCSPResponse');
  const responses = children(basic, tbs).find((t) => t.tag === SEQUENCE);
  if (!responses) return { responseStatus };
  const singles = children(basic, responses);
  // The responder echoes the CertID asked about: compare contents, the SingleResponse naming ours first.
  const wanted = certId ? Buffer.from(certId.subarray(readTlv(certId, 0).start)) : undefined;
  const single =
    singles.find((s) => {
      const first = children(basic, s)[0];
      return wanted !== undefined && first !== undefined && Buffer.from(bytesOf(basic, first)).equals(wanted);
    }) ?? singles[0];
  if (!single) return { responseStatus };
  const [, statusTag, , next] = children(basic, single);
  const certStatus: CertStatus | undefined = statusTag ? ({ 0x80: 'good', 0xa1: 'revoked', 0x82: 'unknown' } as Record<number, CertStatus>)[statusTag.tag] : undefined;
  const nextTime = next && next.tag === EXPLICIT_0 ? children(basic, next)[0] : undefined;
  return { responseStatus, ...(certStatus ? { certStatus } : {}), ...(nextTime ? { nextUpdate: time(basic, nextTime) } : {}) };
}

export interface CrlAnswer {
  thisUpdate?: string;
  nextUpdate?: string;
  /** How many certificates it lists as revoked. */
  revoked: number;
}

/** Reads a DER CertificateList; throws DerError when the bytes are not one. */
export function readCrl(der: Uint8Array): CrlAnswer {
  const top = readTlv(der, 0);
  if (top.tag !== SEQUENCE || top.end !== der.length) throw new DerError('not a CRL');
  const [tbs] = children(der, top);
  if (!tbs || tbs.tag !== SEQUENCE) throw new DerError('no TBSCertList');
  const parts = children(der, tbs);
  const fields = parts[0]?.tag === INTEGER ? parts.slice(1) : parts; // version is optional
  const [, issuer, thisUpdate, maybeNext, maybeRevoked] = fields;
  if (!issuer || issuer.tag !== SEQUENCE || !thisUpdate) throw new DerError('malformed TBSCertList');
  const hasNext = maybeNext && (maybeNext.tag === UTC_TIME || maybeNext.tag === GENERALIZED_TIME);
  const revokedList = hasNext ? maybeRevoked : maybeNext;
  return {
    thisUpdate: time(der, thisUpdate),
    ...(hasNext ? { nextUpdate: time(der, maybeNext) } : {}),
    revoked: revokedList && revokedList.tag === SEQUENCE ? children(der, revokedList).length : 0,
  };
}
