// Negotiate and NTLM with the credentials of the account the agent runs as, through Windows SSPI (win-sso's
// win32-x64 binding, which the Windows package carries): what the sync engine does with machine.config's
// useDefaultCredentials="true". Each proxy connection gets its own security context, because the token
// authenticates that TCP connection.
import type { WinSsoClass, WinSsoContext } from '../sspi.js';
import { AuthError, type SchemeClient } from './scheme.js';

export function sspiClient(WinSso: WinSsoClass, scheme: 'Negotiate' | 'NTLM'): SchemeClient {
  return {
    scheme,
    preemptive: false,
    session(proxyHost) {
      let context: WinSsoContext | undefined;
      const release = () => {
        try {
          context?.freeAuthContext();
        } catch {
          // already freed
        }
        context = undefined;
      };
      return {
        async next(token) {
          try {
            if (token === undefined || !context) {
              release();
              // SSPI builds the service principal HTTP/<proxy host> itself from the target name.
              context = new WinSso(scheme, scheme === 'Negotiate' ? proxyHost : undefined, undefined, undefined);
              return context.createAuthRequestHeader();
            }
            const header = context.createAuthResponseHeader(`${scheme} ${token}`);
            // An empty answer: SSPI has nothing more to say; the context is done with.
            if (header === '') {
              release();
              throw new AuthError('PROXY_REFUSED', `the proxy refused the account's ${scheme} credentials`, scheme);
            }
            return header;
          } catch (err) {
            if (err instanceof AuthError) throw err;
            release();
            throw new AuthError('GSS_S_FAILURE', `Windows SSPI could not answer ${scheme} (${(err as Error).message.split('\n')[0]})`, scheme);
          }
        },
      };
    },
  };
}
