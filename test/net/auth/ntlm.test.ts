// NTLM's crypto against published vectors: RFC 1320's MD4 test suite and MS-NLMP section 4.2.4 (NTLMv2:
// user "User", domain "Domain", password "Password", server challenge 0123456789abcdef, client challenge aa*8, time 0).
import { describe, expect, it } from 'vitest';
import { md4 } from '../../../agent/net/auth/md4.js';
import { authenticateMessage, negotiateMessage, ntlmV2Response, ntowfV2, parseChallenge, parseNtlmUser } from '../../../agent/net/auth/ntlm.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('MD4 (RFC 1320 appendix A.5)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('MD4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
  });

  it('gives the NT hash of "Password" that MS-NLMP 4.2.2.1.2 lists', () => {
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });
});

// MS-NLMP 4.2.4.3: the CHALLENGE message of the NTLMv2 example.
const SPEC_CHALLENGE = hex(`
  4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 0123456789abcdef 0000000000000000 24002400 44000000
  060070170000000f 530065007200760065007200
  02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000
`);

describe('NTLMv2 (MS-NLMP 4.2.4)', () => {
  const responseKeyNT = ntowfV2('Password', 'User', 'Domain');
  const challenge = parseChallenge(SPEC_CHALLENGE);
  const v2 = ntlmV2Response(responseKeyNT, challenge.serverChallenge, Buffer.alloc(8, 0xaa), Buffer.alloc(8), challenge.targetInfo);

  it('ResponseKeyNT (NTOWFv2), 4.2.4.1.1', () => {
    expect(responseKeyNT.toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  it('parses the CHALLENGE: flags, server challenge and target info (Domain, Server)', () => {
    expect(challenge.flags >>> 0).toBe(0xe28a8233);
    expect(challenge.serverChallenge.toString('hex')).toBe('0123456789abcdef');
    expect(challenge.targetInfo.length).toBe(0x24);
    expect(challenge.timestamp).toBeUndefined();
  });

  it('NTProofStr and SessionBaseKey, 4.2.4.2.2', () => {
    expect(v2.ntProofStr.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(v2.sessionBaseKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });

  it('LMv2 response, 4.2.4.2.1', () => {
    expect(v2.lmChallengeResponse.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  });

  it('builds an AUTHENTICATE message carrying exactly those responses, the domain, user and workstation', () => {
    const message = authenticateMessage({ identity: { user: 'User', domain: 'Domain' }, password: 'Password', workstation: 'COMPUTER', challenge, clientChallenge: Buffer.alloc(8, 0xaa), time: Buffer.alloc(8) });
    const field = (i: number) => message.subarray(message.readUInt32LE(16 + i * 8), message.readUInt32LE(16 + i * 8) + message.readUInt16LE(12 + i * 8));
    expect(message.subarray(0, 12).toString('hex')).toBe('4e544c4d5353500003000000');
    expect(field(0).toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
    // The NTLMv2 response of 4.2.4.3's AUTHENTICATE message: NTProofStr, then the client challenge blob.
    expect(field(1).toString('hex')).toBe(
      '68cd0ab851e51c96aabc927bebef6a1c0101000000000000' + '0000000000000000aaaaaaaaaaaaaaaa00000000' + '02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000',
    );
    expect(field(2).toString('utf16le')).toBe('Domain');
    expect(field(3).toString('utf16le')).toBe('User');
    expect(field(4).toString('utf16le')).toBe('COMPUTER');
    expect(field(5).length).toBe(0);
    // NTLMv2 only: never the LM key, never key exchange.
    const flags = message.readUInt32LE(60);
    expect(flags & 0x80).toBe(0);
    expect(flags & 0x40000000).toBe(0);
  });

  it('uses the server timestamp when the CHALLENGE carries one, and then sends no LMv2 response', () => {
    const ts = Buffer.from('0090d336b734d701', 'hex');
    const info = Buffer.concat([Buffer.from([7, 0, 8, 0]), ts, Buffer.alloc(4)]);
    const withTs = Buffer.concat([SPEC_CHALLENGE.subarray(0, 40), Buffer.from([info.length, 0, info.length, 0, 48, 0, 0, 0]), info]);
    const parsed = parseChallenge(withTs);
    expect(parsed.timestamp?.toString('hex')).toBe(ts.toString('hex'));
    const message = authenticateMessage({ identity: { user: 'User', domain: 'Domain' }, password: 'Password', workstation: 'W', challenge: parsed });
    const lm = message.subarray(message.readUInt32LE(16), message.readUInt32LE(16) + message.readUInt16LE(12));
    expect(lm.equals(Buffer.alloc(24))).toBe(true);
    const nt = message.subarray(message.readUInt32LE(24), message.readUInt32LE(24) + message.readUInt16LE(20));
    expect(nt.subarray(24, 32).toString('hex')).toBe(ts.toString('hex'));
  });

  it('refuses what is not a CHALLENGE', () => {
    expect(() => parseChallenge(negotiateMessage())).toThrow(/not an NTLM CHALLENGE/);
    expect(() => parseChallenge(Buffer.from('garbage'))).toThrow(/not an NTLM CHALLENGE/);
  });

  it('reads DOMAIN\\user and user principal names', () => {
    expect(parseNtlmUser('FABRIKAM\\svc')).toEqual({ domain: 'FABRIKAM', user: 'svc' });
    expect(parseNtlmUser('svc@fabrikam.com')).toEqual({ domain: '', user: 'svc@fabrikam.com' });
  });
});
