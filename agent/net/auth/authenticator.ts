// A route's credentials -> the scheme clients its hop answers with, in the order `auto` prefers them.
import type { Secret } from '../../secret.js';
import { basicClient } from './basic.js';
import { negotiateClient, type NegotiateOptions } from './negotiate.js';
import { ntlmClient } from './ntlm.js';
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
  if (scheme === 'negotiate' || scheme === 'auto') clients.push(negotiateClient(credentials));
  if ((scheme === 'ntlm' || scheme === 'auto') && withPassword) clients.push(ntlmClient(username, password));
  // Explicitly Basic: sent with the first request, as before schemes existed. `auto` waits to be asked for it.
  if ((scheme === 'basic' || scheme === 'auto') && withPassword) clients.push(basicClient(username, password, scheme === 'basic'));
  return proxyAuthenticator(scheme, clients);
}
