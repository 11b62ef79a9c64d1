// The handshake's choices without a network: challenge parsing, the order auto prefers, refusals, the leg bound.
import { describe, expect, it } from 'vitest';
import { AuthError, MAX_AUTH_LEGS, parseChallenges, proxyAuthenticator, type SchemeClient } from '../../../agent/net/auth/scheme.js';

const client = (scheme: SchemeClient['scheme'], opts: { preemptive?: boolean; fails?: AuthError } = {}): SchemeClient => ({
  scheme,
  preemptive: opts.preemptive ?? false,
  unavailable: async () => opts.fails,
  session: () => ({ next: async (token) => `${scheme} answer-to-${token ?? 'nothing'}` }),
});

describe('parseChallenges', () => {
  it('reads bare schemes, tokens and parameters, several in one header value', () => {
    expect(parseChallenges(['Negotiate', 'NTLM TlRMTVNTUAACAAAA==', 'Basic realm="entra, lab"'])).toEqual([
      { scheme: 'Negotiate', token: undefined },
      { scheme: 'NTLM', token: 'TlRMTVNTUAACAAAA==' },
      { scheme: 'Basic', token: undefined },
    ]);
    expect(parseChallenges(['Basic realm="x", charset="UTF-8", Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg=='])).toEqual([
      { scheme: 'Basic', token: undefined },
      { scheme: 'Negotiate', token: 'oRQwEqADCgEAoQsGCSqGSIb3EgECAg==' },
    ]);
  });
});

describe('the handshake', () => {
  it('auto prefers Negotiate, then NTLM, then Basic, whatever order the proxy lists them in', async () => {
    const auth = proxyAuthenticator('auto', [client('Negotiate'), client('NTLM'), client('Basic')]);
    for (const [offered, expected] of [
      [['Basic realm="x"', 'NTLM', 'Negotiate'], 'Negotiate'],
      [['Basic realm="x"', 'NTLM'], 'NTLM'],
      [['Basic realm="x"'], 'Basic'],
    ] as const) {
      const h = auth.start('proxy');
      expect(await h.first()).toBeUndefined();
      expect(await h.respond(offered)).toBe(`${expected} answer-to-nothing`);
      expect(h.outcome).toMatchObject({ scheme: expected, legs: 1 });
    }
  });

  it('falls back to the next offered scheme when one cannot work here', async () => {
    const missing = new AuthError('KERBEROS_MISSING', 'no package', 'Negotiate');
    const h = proxyAuthenticator('auto', [client('Negotiate', { fails: missing }), client('NTLM')]).start('proxy');
    expect(await h.respond(['Negotiate', 'NTLM'])).toBe('NTLM answer-to-nothing');
    const only = proxyAuthenticator('auto', [client('Negotiate', { fails: missing }), client('NTLM')]).start('proxy');
    await expect(only.respond(['Negotiate'])).rejects.toMatchObject({ code: 'KERBEROS_MISSING' });
  });

  it('continues with the proxy\'s token, and calls a bare challenge after an answer a refusal', async () => {
    const h = proxyAuthenticator('ntlm', [client('NTLM')]).start('proxy');
    await h.respond(['NTLM']);
    expect(await h.respond(['NTLM CHALLENGE'])).toBe('NTLM answer-to-CHALLENGE');
    await expect(h.respond(['NTLM'])).rejects.toMatchObject({ code: 'PROXY_REFUSED', scheme: 'NTLM' });
  });

  it('names NTLM refused when the proxy offers NTLM and the route does not answer it', async () => {
    const h = proxyAuthenticator('negotiate', [client('Negotiate')]).start('proxy');
    await expect(h.respond(['NTLM'])).rejects.toMatchObject({ code: 'NTLM_REFUSED' });
    await expect(proxyAuthenticator('basic', [client('Basic')]).start('p').respond(['Digest realm="x"'])).rejects.toMatchObject({ code: 'SCHEME_NOT_OFFERED' });
  });

  it('sends a preemptive Basic first, and chooses again when the proxy asks for something else', async () => {
    const h = proxyAuthenticator('basic', [client('Basic', { preemptive: true })]).start('proxy');
    expect(await h.first()).toBe('Basic answer-to-nothing');
    await expect(h.respond(['Basic realm="x"'])).rejects.toMatchObject({ code: 'PROXY_REFUSED' });
    const other = proxyAuthenticator('basic', [client('Basic', { preemptive: true })]).start('proxy');
    await other.first();
    await expect(other.respond(['Negotiate'])).rejects.toMatchObject({ code: 'SCHEME_NOT_OFFERED' });
  });

  it('stops after MAX_AUTH_LEGS answers however the proxy keeps asking', async () => {
    const h = proxyAuthenticator('ntlm', [client('NTLM')]).start('proxy');
    let legs = 0;
    await expect(
      (async () => {
        for (let i = 0; i < 100; i++) {
          await h.respond([i === 0 ? 'NTLM' : `NTLM again${i}`]);
          legs++;
        }
      })(),
    ).rejects.toMatchObject({ code: 'TOO_MANY_LEGS' });
    expect(legs).toBe(MAX_AUTH_LEGS);
  });
});

describe('gssStatusCode', () => {
  it('recovers the codes from MIT Kerberos\'s fixed status texts, and GSS_S_FAILURE for anything else', async () => {
    const { gssStatusCode } = await import('../../../agent/net/auth/negotiate.js');
    expect(gssStatusCode('No credentials were supplied, or the credentials were unavailable or inaccessible: SPNEGO cannot find mechanisms to negotiate')).toBe('GSS_S_NO_CRED');
    expect(gssStatusCode('Unspecified GSS failure.  Minor code may provide more information: Server HTTP/x@R not found in Kerberos database')).toBe('KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN');
    expect(gssStatusCode("No credentials were supplied, or the credentials were unavailable or inaccessible: Client 'g@R' not found in Kerberos database")).toBe('KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN');
    expect(gssStatusCode('Unspecified GSS failure.  Minor code may provide more information: Clock skew too great')).toBe('KRB5KRB_AP_ERR_SKEW');
    expect(gssStatusCode('Unspecified GSS failure.  Minor code may provide more information: Ticket expired')).toBe('KRB5KRB_AP_ERR_TKT_EXPIRED');
    expect(gssStatusCode('The referenced credential has expired')).toBe('GSS_S_CREDENTIALS_EXPIRED');
    // What kerberos@7 reports for a keytab whose realm's KDC does not answer (measured against a closed loopback port).
    expect(gssStatusCode("No credentials were supplied, or the credentials were unavailable or inaccessible: Cannot contact any KDC for realm 'ENTRA.LAB'")).toBe('KRB5_KDC_UNREACH');
    expect(gssStatusCode('something else entirely')).toBe('GSS_S_FAILURE');
  });
});
