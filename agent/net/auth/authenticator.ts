// A route's credentials -> the scheme clients its hop answers with, in the order `auto` prefers them.
import type { Secret } from '../../secret.js';
import { basicClient } from './basic.js';
import { negotiateClient, type NegotiateOptions } from './negotiate.js';
import { ntlmClient } from './ntlm.js';
import { loadSspi } from '../sspi.js';
import { sspiClient } from './sspi.js';
import { proxyAuthenticator, type CredentialScheme, type ProxyAuthenticator, type SchemeClient } from './scheme.js';

export interface ProxyCredentials extends NegotiateOptions {
  scheme: CredentialScheme;
  username?: string;
  password?: Secret;
}

export function createProxyAuthenticator(credentials: ProxyCredentials): ProxyAuthenticator {
  const { scheme, username, password } = credentials;
  const withPassword = username !== undefined && password !== undefined;
  const clients: SchemeClient[] = [];
  // On Windows the account's own credentials go through SSPI, as the sync engine's do; a keytab or an explicit
  // password keeps the portable clients.
  const sspi = !credentials.keytab && !withPassword ? loadSspi() : undefined;
  if (scheme === 'negotiate' || scheme === 'auto') clients.push(sspi?.ok ? sspiClient(sspi.WinSso, 'Negotiate') : negotiateClient(credentials));
  if ((scheme === 'ntlm' || scheme === 'auto') && withPassword) clients.push(ntlmClient(username, password));
  else if ((scheme === 'ntlm' || scheme === 'auto') && sspi?.ok) clients.push(sspiClient(sspi.WinSso, 'NTLM'));
  // Explicitly Basic: sent with the first request, as before schemes existed. `auto` waits to be asked for it.
  if ((scheme === 'basic' || scheme === 'auto') && withPassword) clients.push(basicClient(username, password, scheme === 'basic'));
  return proxyAuthenticator(scheme, clients);
}
