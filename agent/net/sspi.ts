// Windows SSPI (Negotiate and NTLM with the credentials of the account the agent runs as), from the win-sso package's
// win32-x64 prebuild that the Windows package carries in app/node_modules (it is not a dependency on Linux, where the
// Kerberos path uses GSSAPI).
//
// This file only finds and loads the binding; the proxy authentication flow belongs to the authentication interface
// in agent/net/auth/. The Windows package does not carry the optional kerberos package (its win32 build is not in
// the registry), so there negotiateClient's unavailable() reports it missing. To wire SSPI in: on win32, a SchemeClient
// for negotiate (and for ntlm without a password: the account's own credentials) whose session(proxyHost) does, per
// proxy connection (the token authenticates the TCP connection, so the CONNECT that follows must go on the same socket):
//   const sspi = loadSspi();                       // once; { ok: false } off Windows or without the binding
//   const ctx = new sspi.WinSso('Negotiate', proxyHost, undefined, undefined);   // SPN HTTP/<proxyHost>
//   header = ctx.createAuthRequestHeader();        // "Negotiate <base64>" for Proxy-Authorization
//   on a 407 with a challenge: header = ctx.createAuthResponseHeader(challengeHeader) ('' when complete)
//   ctx.freeAuthContext() when the socket closes.
// 'NTLM' instead of 'Negotiate' takes no host. Tokens are secrets: never log them.
import { createRequire } from 'node:module';

/** The part of win-sso's WinSso class the agent uses. */
export interface WinSsoContext {
  createAuthRequestHeader(): string;
  createAuthResponseHeader(inTokenHeader: string): string;
  freeAuthContext(): void;
}

export interface WinSsoClass {
  new (securityPackage: 'Negotiate' | 'NTLM', targetHost: string | undefined, peerCert: undefined, flags: number | undefined): WinSsoContext;
  getLogonUserName(): string;
}

export type SspiLoad = { ok: true; WinSso: WinSsoClass } | { ok: false; reason: string };

let loaded: SspiLoad | undefined;

/** Loads win-sso once. Never throws: off Windows, or with the binding missing, says why. */
export function loadSspi(platform: NodeJS.Platform = process.platform): SspiLoad {
  if (platform !== 'win32') return { ok: false, reason: 'SSPI exists only on Windows' };
  if (loaded) return loaded;
  try {
    const mod = createRequire(import.meta.url)('win-sso') as { WinSso: WinSsoClass };
    loaded = { ok: true, WinSso: mod.WinSso };
  } catch (err) {
    loaded = { ok: false, reason: `win-sso could not be loaded (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  return loaded;
}

/** What the package's SSPI can do here: for the README's manual checks and the Wine test. */
export function sspiStatus(): { available: boolean; account?: string; reason?: string } {
  const sspi = loadSspi();
  if (!sspi.ok) return { available: false, reason: sspi.reason };
  return { available: true, account: sspi.WinSso.getLogonUserName() };
}
