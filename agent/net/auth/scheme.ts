// Proxy authentication: one interface for every scheme. A ProxyAuthenticator belongs to a hop; each connection
// starts its own handshake, which answers the proxy's 407 challenges with Proxy-Authorization values, a bounded
// number of legs, on the same connection (NTLM and Negotiate authenticate the TCP connection, not the request).
// Failures are AuthErrors with stable codes (GSS status names, errno, ours) for the probes to classify.
import type { CredentialScheme } from '../../config/values.js';

export const AUTH_SCHEMES = ['Negotiate', 'NTLM', 'Basic'] as const;
/** The schemes this agent speaks, in the order `auto` prefers them (as .NET does). */
export type AuthScheme = (typeof AUTH_SCHEMES)[number];
export { CREDENTIAL_SCHEMES, type CredentialScheme } from '../../config/values.js';

/** At most this many Proxy-Authorization values per connection: NTLM needs 2, Kerberos 1, SPNEGO rarely 2. */
export const MAX_AUTH_LEGS = 4;

export type AuthErrorCode =
  // GSS-API major status names, and MIT Kerberos error names as the minor status.
  | 'GSS_S_NO_CRED'
  | 'GSS_S_CREDENTIALS_EXPIRED'
  | 'GSS_S_DEFECTIVE_TOKEN'
  | 'GSS_S_FAILURE'
  | 'KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN'
  | 'KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN'
  | 'KRB5KRB_AP_ERR_SKEW'
  | 'KRB5KRB_AP_ERR_TKT_EXPIRED'
  | 'KRB5KDC_ERR_PREAUTH_FAILED'
  | 'KRB5_KDC_UNREACH'
  | 'KRB5_REALM_UNKNOWN'
  // Ours.
  | 'KEYTAB_UNREADABLE'
  | 'KERBEROS_MISSING'
  | 'NTLM_BAD_CHALLENGE'
  | 'NTLM_REFUSED'
  | 'PROXY_REFUSED'
  | 'SCHEME_NOT_OFFERED'
  | 'TOO_MANY_LEGS';

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly scheme?: AuthScheme,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface Challenge {
  scheme: string;
  /** The token after the scheme name (NTLM's CHALLENGE, SPNEGO's continuation); absent for a bare challenge. */
  token?: string;
}

/** "NTLM TlRMTVNT...", "Negotiate", "Basic realm=\"x\"" (one value may hold several, comma-separated). */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    for (const piece of value.split(',')) {
      // "realm=..." after a comma is a parameter of the challenge before it, not a new one.
      if (/^\s*[^\s=]+\s*=/.test(piece)) continue;
      const m = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s+(\S.*?))?\s*$/.exec(piece);
      if (!m) continue;
      const rest = m[2];
      // A token68 (base64) is one word; "realm=..." is a parameter, not a token.
      out.push({ scheme: m[1]!, token: rest && /^[A-Za-z0-9+/._~-]+=*$/.test(rest) ? rest : undefined });
    }
  }
  return out;
}

const KNOWN_SCHEMES = ['Basic', 'Digest', 'NTLM', 'Negotiate', 'Kerberos', 'Bearer'];

/** The auth schemes offered by Proxy-Authenticate headers, e.g. ['Negotiate', 'NTLM', 'Basic'], each once. */
export function parseProxyAuthenticate(values: readonly string[]): string[] {
  const schemes: string[] = [];
  for (const { scheme } of parseChallenges(values)) {
    const canonical = KNOWN_SCHEMES.find((s) => s.toLowerCase() === scheme.toLowerCase()) ?? scheme;
    if (!schemes.includes(canonical)) schemes.push(canonical);
  }
  return schemes;
}

export function canonicalScheme(name: string): AuthScheme | undefined {
  return AUTH_SCHEMES.find((s) => s.toLowerCase() === name.toLowerCase());
}

/** One scheme's side of one connection's handshake. */
export interface SchemeSession {
  /** The next Proxy-Authorization value, given the proxy's token for this scheme (undefined on the first leg). */
  next(token: string | undefined): Promise<string>;
}

/** A scheme a route can answer with, holding its credentials. */
export interface SchemeClient {
  readonly scheme: AuthScheme;
  /** Sent before any challenge (Basic, configured explicitly: the agent's behaviour before schemes existed). */
  readonly preemptive: boolean;
  session(proxyHost: string): SchemeSession;
  /** Why this client cannot work at all here (the kerberos package missing), before any connection. */
  unavailable?(): Promise<AuthError | undefined>;
}

export interface AuthOutcome {
  scheme?: AuthScheme;
  /** Requests sent with a Proxy-Authorization value. */
  legs: number;
  /** The schemes the proxy's first 407 offered (canonical names; others as written). */
  offered?: string[];
}

/** One connection's handshake. */
export interface AuthHandshake {
  readonly outcome: AuthOutcome;
  /** The Proxy-Authorization value for the first request (preemptive Basic), or undefined. */
  first(): Promise<string | undefined>;
  /** Answers a 407 (its Proxy-Authenticate values); throws an AuthError when the handshake cannot go on. */
  respond(proxyAuthenticate: readonly string[]): Promise<string>;
}

export interface ProxyAuthenticator {
  readonly configured: CredentialScheme;
  readonly clients: readonly SchemeClient[];
  start(proxyHost: string): AuthHandshake;
}

/** The authenticator over a route's scheme clients, in preference order. */
export function proxyAuthenticator(configured: CredentialScheme, clients: readonly SchemeClient[]): ProxyAuthenticator {
  return { configured, clients, start: (proxyHost) => new Handshake(clients, proxyHost) };
}

class Handshake implements AuthHandshake {
  readonly outcome: AuthOutcome = { legs: 0 };
  private session: SchemeSession | undefined;
  private client: SchemeClient | undefined;
  /** Schemes given up on for this connection (a client-side failure), so `auto` can fall back to the next one. */
  private readonly failed: AuthError[] = [];

  constructor(
    private readonly clients: readonly SchemeClient[],
    private readonly proxyHost: string,
  ) {}

  async first(): Promise<string | undefined> {
    const preemptive = this.clients.find((c) => c.preemptive);
    if (!preemptive) return undefined;
    return this.begin(preemptive, undefined);
  }

  async respond(values: readonly string[]): Promise<string> {
    if (this.outcome.legs >= MAX_AUTH_LEGS) throw new AuthError('TOO_MANY_LEGS', `the proxy still asked for authentication after ${MAX_AUTH_LEGS} answers`, this.client?.scheme);
    const challenges = parseChallenges(values);
    this.outcome.offered ??= parseProxyAuthenticate(values);
    if (this.client) {
      const mine = challenges.find((c) => canonicalScheme(c.scheme) === this.client!.scheme);
      if (mine || !this.client.preemptive) {
        // A bare challenge after our answer (or none for our scheme) is the proxy refusing what we sent.
        if (!mine || mine.token === undefined) throw new AuthError('PROXY_REFUSED', `the proxy refused the ${this.client.scheme} credentials`, this.client.scheme);
        return this.step(mine.token);
      }
      // Sent up front and not what this proxy asks for: choose among what it offers instead.
      this.client = undefined;
      this.outcome.scheme = undefined;
    }
    const offered = new Set(challenges.map((c) => canonicalScheme(c.scheme)).filter((s) => s !== undefined));
    for (const client of this.clients) {
      if (!offered.has(client.scheme)) continue;
      try {
        return await this.begin(client, challenges.find((c) => canonicalScheme(c.scheme) === client.scheme)?.token);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        this.failed.push(err);
        this.client = undefined;
        this.session = undefined;
      }
    }
    if (this.failed[0]) throw this.failed[0];
    if (offered.has('NTLM') && !this.clients.some((c) => c.scheme === 'NTLM')) {
      throw new AuthError('NTLM_REFUSED', `the proxy offers ${[...offered].join(', ')}; this route does not answer NTLM (it has no NTLM credentials, or its scheme is ${this.clients.map((c) => c.scheme).join(', ') || 'none'})`);
    }
    const names = challenges.map((c) => c.scheme).join(', ') || 'no scheme';
    throw new AuthError('SCHEME_NOT_OFFERED', `the proxy offers ${names}; this route answers ${this.clients.map((c) => c.scheme).join(', ')}`);
  }

  private async begin(client: SchemeClient, token: string | undefined): Promise<string> {
    this.client = client;
    this.outcome.scheme = client.scheme;
    const unavailable = await client.unavailable?.();
    if (unavailable) throw unavailable;
    this.session = client.session(this.proxyHost);
    return this.step(token);
  }

  private async step(token: string | undefined): Promise<string> {
    const value = await this.session!.next(token);
    this.outcome.legs++;
    return value;
  }
}
