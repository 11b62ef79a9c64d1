// NTLM (MS-NLMP) as a client: NEGOTIATE, then AUTHENTICATE with an NTLMv2 response to the proxy's CHALLENGE.
// NTLMv2 only: no LM, no NTLMv1, no key exchange (HTTP needs no signing or sealing). The pieces are exported so the
// specification's test vectors (section 4.2.4) can prove them.
import { createHmac, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Secret } from '../../secret.js';
import { md4 } from './md4.js';
import { AuthError, type SchemeClient } from './scheme.js';

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const NTLM_FLAGS = {
  UNICODE: 0x00000001,
  REQUEST_TARGET: 0x00000004,
  NTLM: 0x00000200,
  ALWAYS_SIGN: 0x00008000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  N128: 0x20000000,
  N56: 0x80000000,
} as const;

/** What this client asks for in NEGOTIATE and accepts in CHALLENGE: Unicode, NTLMv2 (extended session security). */
const CLIENT_FLAGS =
  NTLM_FLAGS.UNICODE | NTLM_FLAGS.REQUEST_TARGET | NTLM_FLAGS.NTLM | NTLM_FLAGS.ALWAYS_SIGN | NTLM_FLAGS.EXTENDED_SESSIONSECURITY | NTLM_FLAGS.N128 | NTLM_FLAGS.N56;

const AV_EOL = 0;
const AV_TIMESTAMP = 7;

export interface NtlmIdentity {
  user: string;
  /** NetBIOS domain (FABRIKAM), or '' for a user principal name (svc@fabrikam.com), as MS-NLMP allows. */
  domain: string;
}

/** "FABRIKAM\\svc" -> {domain FABRIKAM, user svc}; "svc@fabrikam.com" -> {user svc@fabrikam.com, domain ''}. */
export function parseNtlmUser(username: string): NtlmIdentity {
  const slash = username.indexOf('\\');
  if (slash > 0) return { domain: username.slice(0, slash), user: username.slice(slash + 1) };
  return { user: username, domain: '' };
}

const utf16 = (s: string) => Buffer.from(s, 'utf16le');
const hmacMd5 = (key: Uint8Array, ...data: Uint8Array[]) => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};

/** NTOWFv2(Passwd, User, UserDom) = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(Uppercase(User) + UserDom)). */
export function ntowfV2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(md4(utf16(password)), utf16(user.toUpperCase() + domain));
}

export interface NtlmChallenge {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
  /** MsvAvTimestamp from targetInfo (FILETIME, 8 bytes), when the server sent one. */
  timestamp?: Buffer;
}

export class NtlmFormatError extends Error {
  readonly code = 'NTLM_BAD_CHALLENGE';
}

/** Reads a CHALLENGE message (type 2); throws NtlmFormatError on anything that is not one. */
export function parseChallenge(message: Buffer): NtlmChallenge {
  if (message.length < 32 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== 2) {
    throw new NtlmFormatError('the proxy sent something that is not an NTLM CHALLENGE message');
  }
  const flags = message.readUInt32LE(20);
  const serverChallenge = Buffer.from(message.subarray(24, 32));
  let targetInfo = Buffer.alloc(0);
  // Target info only where the flag says so: older servers (and squid's ntlm_fake_auth) send a shorter message.
  if (message.length >= 48 && (flags & NTLM_FLAGS.TARGET_INFO) !== 0) {
    const len = message.readUInt16LE(40);
    const offset = message.readUInt32LE(44);
    if (offset + len > message.length) throw new NtlmFormatError('the NTLM CHALLENGE message is truncated');
    targetInfo = Buffer.from(message.subarray(offset, offset + len));
  }
  let timestamp: Buffer | undefined;
  for (let at = 0; at + 4 <= targetInfo.length; ) {
    const id = targetInfo.readUInt16LE(at);
    const len = targetInfo.readUInt16LE(at + 2);
    if (id === AV_EOL) break;
    if (id === AV_TIMESTAMP && len === 8) timestamp = Buffer.from(targetInfo.subarray(at + 4, at + 12));
    at += 4 + len;
  }
  return { flags, serverChallenge, targetInfo, timestamp };
}

export function negotiateMessage(): Buffer {
  const m = Buffer.alloc(32);
  SIGNATURE.copy(m, 0);
  m.writeUInt32LE(1, 8);
  m.writeUInt32LE(CLIENT_FLAGS >>> 0, 12);
  // Domain and workstation fields empty (length 0, offset 32): the client supplies neither here.
  m.writeUInt32LE(32, 20);
  m.writeUInt32LE(32, 28);
  return m;
}

export interface NtlmV2Response {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  ntProofStr: Buffer;
  sessionBaseKey: Buffer;
}

/** MS-NLMP 3.3.2: the NTLMv2 responses to a server challenge. `time` is a FILETIME (8 bytes little-endian). */
export function ntlmV2Response(responseKeyNT: Buffer, serverChallenge: Buffer, clientChallenge: Buffer, time: Buffer, targetInfo: Buffer): NtlmV2Response {
  const temp = Buffer.concat([Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]), time, clientChallenge, Buffer.alloc(4), targetInfo, Buffer.alloc(4)]);
  const ntProofStr = hmacMd5(responseKeyNT, serverChallenge, temp);
  return {
    ntProofStr,
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse: Buffer.concat([hmacMd5(responseKeyNT, serverChallenge, clientChallenge), clientChallenge]),
    sessionBaseKey: hmacMd5(responseKeyNT, ntProofStr),
  };
}

/** Now as a FILETIME: 100 ns ticks since 1601-01-01, little-endian. */
export function fileTime(ms = Date.now()): Buffer {
  const t = Buffer.alloc(8);
  t.writeBigUInt64LE((BigInt(ms) + 11644473600000n) * 10000n);
  return t;
}

export interface AuthenticateInput {
  identity: NtlmIdentity;
  password: string;
  workstation: string;
  challenge: NtlmChallenge;
  clientChallenge?: Buffer;
  time?: Buffer;
}

/** The AUTHENTICATE message (type 3) for a CHALLENGE. */
export function authenticateMessage(input: AuthenticateInput): Buffer {
  const { identity, challenge } = input;
  const clientChallenge = input.clientChallenge ?? randomBytes(8);
  // With the server's timestamp the client uses it and sends no LMv2 response (MS-NLMP 3.1.5.1.2).
  const time = challenge.timestamp ?? input.time ?? fileTime();
  const key = ntowfV2(input.password, identity.user, identity.domain);
  const v2 = ntlmV2Response(key, challenge.serverChallenge, clientChallenge, time, challenge.targetInfo);
  const lm = challenge.timestamp ? Buffer.alloc(24) : v2.lmChallengeResponse;
  const flags = (challenge.flags & CLIENT_FLAGS) | NTLM_FLAGS.UNICODE | NTLM_FLAGS.NTLM | NTLM_FLAGS.EXTENDED_SESSIONSECURITY;
  const fields = [lm, v2.ntChallengeResponse, utf16(identity.domain), utf16(identity.user), utf16(input.workstation), Buffer.alloc(0)];
  const header = Buffer.alloc(64);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = header.length;
  fields.forEach((field, i) => {
    header.writeUInt16LE(field.length, 12 + i * 8);
    header.writeUInt16LE(field.length, 14 + i * 8);
    header.writeUInt32LE(offset, 16 + i * 8);
    offset += field.length;
  });
  header.writeUInt32LE(flags >>> 0, 60);
  return Buffer.concat([header, ...fields]);
}

/** The NTLM scheme for a proxy: NEGOTIATE on the first leg, AUTHENTICATE to the CHALLENGE on the second. */
export function ntlmClient(username: string, password: Secret, workstation = hostname().split('.')[0]!.toUpperCase().slice(0, 15)): SchemeClient {
  const identity = parseNtlmUser(username);
  return {
    scheme: 'NTLM',
    preemptive: false,
    session: () => ({
      async next(token) {
        if (token === undefined) return `NTLM ${negotiateMessage().toString('base64')}`;
        let challenge: NtlmChallenge;
        try {
          challenge = parseChallenge(Buffer.from(token, 'base64'));
        } catch (err) {
          throw new AuthError('NTLM_BAD_CHALLENGE', (err as Error).message, 'NTLM');
        }
        // NTLMv2 whatever the CHALLENGE's flags say: the agent never falls back to LM or NTLMv1 responses.
        return `NTLM ${authenticateMessage({ identity, password: password.reveal(), workstation, challenge }).toString('base64')}`;
      },
    }),
  };
}
