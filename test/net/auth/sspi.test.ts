// The SSPI scheme client's handshake over win-sso's interface. Real SSPI exists only on Windows (and Wine has no
// domain credentials to give it), so a stand-in with win-sso's shape records what the client asks of it.
import { describe, expect, it } from 'vitest';
import type { WinSsoClass } from '../../../agent/net/sspi.js';
import { sspiClient } from '../../../agent/net/auth/sspi.js';
import { AuthError } from '../../../agent/net/auth/scheme.js';

function recordingWinSso(answers: string[]) {
  const calls: string[] = [];
  class Fake {
    constructor(pkg: string, host: string | undefined) {
      calls.push(`new ${pkg} ${host ?? '-'}`);
    }
    static getLogonUserName() {
      return 'FABRIKAM\\svc';
    }
    createAuthRequestHeader() {
      calls.push('request');
      return 'Negotiate AAAA';
    }
    createAuthResponseHeader(challenge: string) {
      calls.push(`response ${challenge}`);
      return answers.shift() ?? '';
    }
    freeAuthContext() {
      calls.push('free');
    }
  }
  return { WinSso: Fake as unknown as WinSsoClass, calls };
}

describe('sspiClient', () => {
  it('opens a context per connection for HTTP/<proxy host>, answers the challenge with the scheme name, and frees it', async () => {
    const { WinSso, calls } = recordingWinSso(['Negotiate BBBB']);
    const session = sspiClient(WinSso, 'Negotiate').session('proxy.fabrikam.com');
    expect(await session.next(undefined)).toBe('Negotiate AAAA');
    expect(await session.next('CHALLENGE')).toBe('Negotiate BBBB');
    await expect(session.next('MORE')).rejects.toBeInstanceOf(AuthError);
    expect(calls).toEqual(['new Negotiate proxy.fabrikam.com', 'request', 'response Negotiate CHALLENGE', 'response Negotiate MORE', 'free']);
  });

  it('NTLM takes no target host', async () => {
    const { WinSso, calls } = recordingWinSso([]);
    await sspiClient(WinSso, 'NTLM').session('proxy.fabrikam.com').next(undefined);
    expect(calls[0]).toBe('new NTLM -');
  });
});
