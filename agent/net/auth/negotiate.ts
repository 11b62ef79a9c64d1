// Negotiate (SPNEGO with Kerberos, RFC 4559) through the optional `kerberos` package: GSSAPI on Linux, SSPI on
// Windows. The service principal is HTTP@<proxy host>, as curl and .NET build it. Credentials are the process's
// own: its ticket cache (KRB5CCNAME) or a client keytab (MIT Kerberos reads KRB5_CLIENT_KTNAME and gets tickets
// from it by itself). Where the package is missing, the scheme reports that, once per connection, and nothing crashes.
import { access, constants } from 'node:fs/promises';
import { AuthError, type AuthErrorCode, type SchemeClient } from './scheme.js';

interface KerberosClient {
  step(challenge: string): Promise<string>;
}
interface KerberosModule {
  initializeClient(service: string, options: { principal?: string; mechOID?: number }): Promise<KerberosClient>;
  GSS_MECH_OID_SPNEGO: number;
}

let loading: Promise<KerberosModule | undefined> | undefined;

/** The kerberos package, or undefined where it is not installed or its addon did not build. */
export function loadKerberos(): Promise<KerberosModule | undefined> {
  // A variable specifier keeps TypeScript from requiring the optional package's types at build time.
  const name = 'kerberos';
  loading ??= import(name).then(
    (m: { default?: KerberosModule } & KerberosModule) => m.default ?? m,
    () => undefined,
  );
  return loading;
}

export const KERBEROS_MISSING_REMEDY =
  'Install the optional npm package kerberos where the agent runs: on Debian/Ubuntu `apt-get install libkrb5-dev` (RHEL: krb5-devel), then `npm rebuild kerberos` (or `npm install kerberos`) in the agent\'s directory.';

// The kerberos package hands GSS-API failures up as text only (gss_display_status of the major and minor codes),
// not the codes themselves. These are the fixed texts of MIT Kerberos's status tables, one per code, so the code is
// recovered here, in one place, and nothing else ever looks at the text.
const MINOR_CODES: Array<[RegExp, AuthErrorCode]> = [
  [/^Server .* not found in Kerberos database/, 'KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN'],
  [/^Client .* not found in Kerberos database/, 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN'],
  [/^Clock skew too great/, 'KRB5KRB_AP_ERR_SKEW'],
  [/^Ticket expired/, 'KRB5KRB_AP_ERR_TKT_EXPIRED'],
  [/^Preauthentication failed/, 'KRB5KDC_ERR_PREAUTH_FAILED'],
  [/^Cannot contact any KDC for realm/, 'KRB5_KDC_UNREACH'],
  [/^Cannot find KDC for realm/, 'KRB5_REALM_UNKNOWN'],
];
const MAJOR_CODES: Array<[RegExp, AuthErrorCode]> = [
  [/^No credentials were supplied/, 'GSS_S_NO_CRED'],
  [/^The referenced credentials? ha(?:s|ve) expired/, 'GSS_S_CREDENTIALS_EXPIRED'],
  [/^Defective token detected/, 'GSS_S_DEFECTIVE_TOKEN'],
];

/** The GSS status of a failure the kerberos package reported ("<major text>: <minor text>"). */
export function gssStatusCode(message: string): AuthErrorCode {
  const colon = message.indexOf(': ');
  const major = colon === -1 ? message : message.slice(0, colon);
  const minor = colon === -1 ? '' : message.slice(colon + 2);
  return MINOR_CODES.find(([re]) => re.test(minor))?.[1] ?? MAJOR_CODES.find(([re]) => re.test(major))?.[1] ?? 'GSS_S_FAILURE';
}

const WHAT: Partial<Record<AuthErrorCode, string>> = {
  GSS_S_NO_CRED: 'no Kerberos credentials: no ticket in the cache and no client keytab',
  GSS_S_CREDENTIALS_EXPIRED: 'the Kerberos ticket has expired',
  KRB5KRB_AP_ERR_TKT_EXPIRED: 'the Kerberos ticket has expired',
  KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN: 'the KDC does not know the client principal',
  KRB5KDC_ERR_PREAUTH_FAILED: 'the KDC refused the client key (pre-authentication failed)',
  KRB5KRB_AP_ERR_SKEW: 'the clocks of this server and the KDC differ by more than Kerberos allows (KRB_AP_ERR_SKEW)',
  KRB5_KDC_UNREACH: 'no KDC of the realm could be reached',
  KRB5_REALM_UNKNOWN: 'no KDC is known for the realm',
  GSS_S_DEFECTIVE_TOKEN: 'the proxy sent a defective Negotiate token',
};

export interface NegotiateOptions {
  /** The service principal in GSS form (HTTP@proxy.fabrikam.com); default HTTP@<proxy host>. */
  spn?: string;
  /** The client principal (svc@FABRIKAM.COM); default the cache's or the keytab's first. */
  principal?: string;
  /** A client keytab: tickets are got from it, into a cache of the agent's own. */
  keytab?: string;
}

export function spnFor(proxyHost: string, spn?: string): string {
  return spn ?? `HTTP@${proxyHost}`;
}

/** Points MIT Kerberos at a client keytab, and at a memory ticket cache unless one is set, for this process. */
export function useClientKeytab(keytab: string, env: NodeJS.ProcessEnv = process.env): void {
  env.KRB5_CLIENT_KTNAME = keytab;
  env.KRB5CCNAME ??= 'MEMORY:entra-connect-monitor';
}

export function negotiateClient(options: NegotiateOptions): SchemeClient {
  if (options.keytab) useClientKeytab(options.keytab);
  return {
    scheme: 'Negotiate',
    preemptive: false,
    async unavailable() {
      if (!(await loadKerberos())) return new AuthError('KERBEROS_MISSING', 'the optional package kerberos is not installed, so Negotiate (Kerberos) cannot be answered (install libkrb5-dev, then npm rebuild kerberos)', 'Negotiate');
      if (options.keytab) {
        try {
          await access(options.keytab, constants.R_OK);
        } catch (err) {
          return new AuthError('KEYTAB_UNREADABLE', `no Kerberos credentials: the keytab ${options.keytab} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'Negotiate');
        }
      }
      return undefined;
    },
    session(proxyHost) {
      const spn = spnFor(proxyHost, options.spn);
      let client: KerberosClient | undefined;
      return {
        async next(token) {
          try {
            const kerberos = (await loadKerberos())!;
            client ??= await kerberos.initializeClient(spn, { mechOID: kerberos.GSS_MECH_OID_SPNEGO, ...(options.principal ? { principal: options.principal } : {}) });
            return `Negotiate ${await client.step(token ?? '')}`;
          } catch (err) {
            const code = gssStatusCode(err instanceof Error ? err.message : String(err));
            const what =
              code === 'KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN' ? `the KDC does not know the proxy's service principal ${spn.replace('@', '/')}` : (WHAT[code] ?? 'Kerberos failed');
            throw new AuthError(code, `${what} (${code})`, 'Negotiate');
          }
        },
      };
    },
  };
}
