// Parsers of values a user writes in the configuration (or on the command line): pure, shared by the schema and the
// commands, so that config/ needs nothing from the layers that use these values.
import { isIP } from 'node:net';

/** The TLS versions a client may offer (tls.minVersion, tls.maxVersion); net/ takes them from here. */
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** credentials.scheme; net/auth/ takes them from here. */
export const CREDENTIAL_SCHEMES = ['auto', 'basic', 'negotiate', 'ntlm'] as const;
export type CredentialScheme = (typeof CREDENTIAL_SCHEMES)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

export interface TenantTarget {
  /** The domain (lower case), or a tenant id (GUID). */
  domain: string;
  isTenantId: boolean;
}

/**
 * Reads a tenant setting: a domain (fabrikam.partner.onmschina.cn, fabrikam.cn), a user principal name
 * (admin@fabrikam.cn: its domain is taken; the user part is never sent), or a tenant id (a GUID).
 */
export function parseTenantValue(value: string): TenantTarget | { error: string } {
  const text = value.trim();
  if (text === '') return { error: 'is empty' };
  const at = text.lastIndexOf('@');
  const candidate = (at >= 0 ? text.slice(at + 1) : text).toLowerCase().replace(/\.$/, '');
  if (at < 0 && GUID.test(candidate)) return { domain: candidate, isTenantId: true };
  if (!DOMAIN.test(candidate)) return { error: `"${text.slice(0, 100)}" is not a domain, a user principal name (user@domain) or a tenant id` };
  return { domain: candidate, isTenantId: false };
}

/** "HOST:PORT", "[v6]:PORT" or a bare address (port 53) as node:dns setServers takes them. */
export function parseDnsServer(value: string): string | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(value) ?? /^([0-9a-fA-F:]+)$/.exec(value);
  if (!m) return undefined;
  const host = m[1] ?? m[2]!;
  if (!isIP(host)) return undefined;
  const port = m[3] === undefined ? 53 : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}


/**
 * A file path as written in the configuration. On Windows, %NAME% is replaced by that environment variable (names are
 * case-insensitive there; an unknown one is left as written, so the error names it), as admins write paths such as
 * %ProgramData%\\entra-connect-monitor\\proxy-password. Drive letters, backslashes and UNC paths need nothing: Node's
 * file functions take them on Windows. Elsewhere the path is used as written.
 */
export function expandPath(value: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform !== 'win32') return value;
  return value.replace(/%([A-Za-z_][A-Za-z0-9_()]*)%/g, (whole, name: string) => {
    const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
    return key !== undefined && env[key] !== undefined ? env[key]! : whole;
  });
}
