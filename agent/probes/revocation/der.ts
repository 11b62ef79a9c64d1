// A small DER reader, bounded: enough to walk a certificate to its extensions and read the two that name revocation
// URLs (CRL distribution points, authority information access). It never reads outside the buffer, and a malformed
// certificate gives an error, never a loop or a huge allocation.

export interface Tlv {
  tag: number;
  /** Offsets into the buffer: content [start, end). */
  start: number;
  end: number;
}

const MAX_ITEMS = 4096;

export class DerError extends Error {}

/** The element at `offset`, which must end at or before `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in certificates');
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new DerError('unsupported length');
    if (start + bytes > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[start + i]!;
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new DerError('element runs past its container');
  return { tag, start, end };
}

/** The elements inside a constructed element, in order. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
    if (out.length > MAX_ITEMS) throw new DerError('too many elements');
  }
  return out;
}

export const bytesOf = (buf: Uint8Array, tlv: Tlv) => buf.subarray(tlv.start, tlv.end);

/** Dotted form of an OBJECT IDENTIFIER's content. */
export function oid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError('empty object identifier');
  const parts: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('object identifier arc too large');
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift()!;
  return [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40, ...parts].join('.');
}

const SEQUENCE = 0x30;
const EXTENSIONS = 0xa3; // [3] EXPLICIT in TBSCertificate
const OID = 0x06;
const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;

/** The extensions of a DER certificate as OID -> extnValue content (the extension's own DER). */
export function certificateExtensions(der: Uint8Array): Map<string, Uint8Array> {
  const cert = readTlv(der, 0);
  if (cert.tag !== SEQUENCE) throw new DerError('not a certificate');
  const [tbs] = children(der, cert);
  if (!tbs || tbs.tag !== SEQUENCE) throw new DerError('no TBSCertificate');
  const out = new Map<string, Uint8Array>();
  const wrapper = children(der, tbs).find((t) => t.tag === EXTENSIONS);
  if (!wrapper) return out;
  const [list] = children(der, wrapper);
  if (!list || list.tag !== SEQUENCE) throw new DerError('malformed extensions');
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    const id = parts[0];
    const value = parts.find((p, i) => i > 0 && p.tag === OCTET_STRING);
    if (!id || id.tag !== OID || !value || (parts.length === 3 && parts[1]!.tag !== BOOLEAN)) throw new DerError('malformed extension');
    out.set(oid(bytesOf(der, id)), bytesOf(der, value));
  }
  return out;
}
