// Basic: the user name and password in every request, base64 (RFC 7617). Only over a connection to the proxy the
// admin chose; `auto` sends it only when the proxy asks for Basic and offers nothing stronger.
import type { Secret } from '../../secret.js';
import type { SchemeClient } from './scheme.js';

export function basicClient(username: string, password: Secret, preemptive: boolean): SchemeClient {
  const value = `Basic ${Buffer.from(`${username}:${password.reveal()}`).toString('base64')}`;
  return {
    scheme: 'Basic',
    preemptive,
    session: () => ({ next: async () => value }),
  };
}
