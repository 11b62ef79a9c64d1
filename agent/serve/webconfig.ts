// --web.config.file: TLS and basic auth for the metrics endpoint, in the exporter-toolkit format that Prometheus
// exporters share (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md), so admins
// reuse the files they already have. A bad file is one InputError (file, key, problem); the CLI exits 2.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions as HttpsOptions } from 'node:https';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import type { TLSSocket, SecureVersion } from 'node:tls';
import bcrypt from 'bcryptjs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssue } from '../config/catalogue.js';
import { InputError, readInputFile } from '../errors.js';

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];
const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const satisfies Record<string, SecureVersion>;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const versionNames = Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]];

/** A bcrypt hash as htpasswd -B and Go's bcrypt write it. */
const BCRYPT_HASH = /^\$2[abxy]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const webConfigSchema = z
  .object({
    tls_server_config: z
      .object({
        cert_file: z.string().min(1).optional(),
        key_file: z.string().min(1).optional(),
        client_auth_type: z.enum(CLIENT_AUTH_TYPES, { error: () => `must be one of ${CLIENT_AUTH_TYPES.join(', ')}` }).default('NoClientCert'),
        client_ca_file: z.string().min(1).optional(),
        min_version: z.enum(versionNames, { error: () => `must be one of ${versionNames.join(', ')}` }).default('TLS12'),
        max_version: z.enum(versionNames, { error: () => `must be one of ${versionNames.join(', ')}` }).optional(),
      })
      .strict()
      .nullish(),
    basic_auth_users: z
      .record(z.string().min(1).regex(/^[^:]*$/, 'a user name must not contain ":"'), z.string().regex(BCRYPT_HASH, 'must be a bcrypt hash (htpasswd -nBC 10 USER)'))
      .nullish(),
  })
  .strict();

export interface WebConfigSpec {
  file: string;
  tls?: {
    certFile: string;
    keyFile: string;
    clientAuthType: ClientAuthType;
    clientCaFile?: string;
    minVersion: SecureVersion;
    maxVersion?: SecureVersion;
  };
  users: Map<string, string>;
}

/** Parses the YAML text (no file access): paths are resolved against the file's directory, as exporter-toolkit does. */
export function parseWebConfig(text: string, file: string): WebConfigSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new InputError(file, '', `malformed YAML: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(file, '', 'must be a YAML mapping of keys');
  const parsed = webConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const { key, problem } = describeIssue(parsed.error);
    throw new InputError(file, key, problem);
  }
  const spec: WebConfigSpec = { file, users: new Map(Object.entries(parsed.data.basic_auth_users ?? {})) };
  const t = parsed.data.tls_server_config;
  const at = (p: string) => (isAbsolute(p) ? p : resolvePath(dirname(file), p));
  if (t && (t.cert_file || t.key_file || t.client_ca_file || t.client_auth_type !== 'NoClientCert')) {
    if (!t.cert_file) throw new InputError(file, 'tls_server_config.cert_file', 'missing (key_file needs cert_file)');
    if (!t.key_file) throw new InputError(file, 'tls_server_config.key_file', 'missing (cert_file needs key_file)');
    const verifies = t.client_auth_type === 'VerifyClientCertIfGiven' || t.client_auth_type === 'RequireAndVerifyClientCert';
    if (verifies && !t.client_ca_file) throw new InputError(file, 'tls_server_config.client_ca_file', `required with client_auth_type ${t.client_auth_type}`);
    if (t.client_ca_file && !verifies && t.client_auth_type !== 'NoClientCert') {
      // exporter-toolkit refuses a CA it would not use to verify anything; so do we.
      throw new InputError(file, 'tls_server_config.client_ca_file', `is not used with client_auth_type ${t.client_auth_type}`);
    }
    if (t.max_version && versionNames.indexOf(t.max_version) < versionNames.indexOf(t.min_version)) {
      throw new InputError(file, 'tls_server_config.max_version', `must not be below min_version ${t.min_version}`);
    }
    spec.tls = {
      certFile: at(t.cert_file),
      keyFile: at(t.key_file),
      clientAuthType: t.client_auth_type,
      clientCaFile: t.client_ca_file ? at(t.client_ca_file) : undefined,
      minVersion: TLS_VERSIONS[t.min_version],
      maxVersion: t.max_version ? TLS_VERSIONS[t.max_version] : undefined,
    };
  }
  return spec;
}

export interface WebConfig {
  spec: WebConfigSpec;
  /** For node:https createServer; undefined = plain HTTP. */
  tls?: HttpsOptions;
  /** Undefined when the endpoint is open (no users, no client certificate rule beyond the TLS layer). */
  authorize?: (req: IncomingMessage) => Promise<boolean>;
}


/** Reads the web config file and everything it names; any problem is one InputError. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const spec = parseWebConfig(readInputFile(file), file);
  const config: WebConfig = { spec };
  const checks: Array<(req: IncomingMessage) => boolean | Promise<boolean>> = [];
  if (spec.tls) {
    const t = spec.tls;
    const tls: HttpsOptions = {
      cert: readInputFile(t.certFile, { file, key: 'tls_server_config.cert_file' }),
      key: readInputFile(t.keyFile, { file, key: 'tls_server_config.key_file' }),
      minVersion: t.minVersion,
      maxVersion: t.maxVersion,
      requestCert: t.clientAuthType !== 'NoClientCert',
      rejectUnauthorized: t.clientAuthType === 'RequireAndVerifyClientCert',
    };
    if (t.clientCaFile) tls.ca = readInputFile(t.clientCaFile, { file, key: 'tls_server_config.client_ca_file' });
    // Check now that the pair is usable, so a bad pair exits 2 at start rather than failing every scrape.
    try {
      const { createSecureContext } = await import('node:tls');
      createSecureContext({ cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: tls.minVersion, maxVersion: tls.maxVersion });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new InputError(file, 'tls_server_config', `cannot use the certificate, key or CA (${code})`);
    }
    config.tls = tls;
    const peer = (req: IncomingMessage) => (req.socket as TLSSocket).getPeerCertificate?.() ?? {};
    const presented = (req: IncomingMessage) => Object.keys(peer(req)).length > 0;
    if (t.clientAuthType === 'RequireAnyClientCert') checks.push(presented);
    if (t.clientAuthType === 'VerifyClientCertIfGiven') checks.push((req) => !presented(req) || (req.socket as TLSSocket).authorized === true);
  }
  if (spec.users.size > 0) checks.push(basicAuthCheck(spec.users));
  if (checks.length > 0) {
    config.authorize = async (req) => {
      for (const check of checks) if (!(await check(req))) return false;
      return true;
    };
  }
  return config;
}

const CACHE_SIZE = 256;

/**
 * Basic auth against bcrypt hashes. A bcrypt compare costs tens of milliseconds by design, and Prometheus scrapes
 * every few seconds with the same credentials, so outcomes are cached (as exporter-toolkit does) under a SHA-256 of
 * user, hash and password: the cache holds no password.
 */
export function basicAuthCheck(users: Map<string, string>): (req: IncomingMessage) => Promise<boolean> {
  const cache = new Map<string, boolean>();
  // A hash no password matches, compared for unknown users so that they cost about as much time as known ones.
  const rounds = Number(/^\$2[abxy]?\$(\d\d)\$/.exec(users.values().next().value ?? '')?.[1] ?? 10);
  const dummyHash = bcrypt.hashSync(randomBytes(16).toString('hex'), rounds);
  return async (req) => {
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const hash = users.get(user);
    const key = createHash('sha256').update(`${user}\0${hash ?? ''}\0${password}`).digest('hex');
    let ok = cache.get(key);
    if (ok === undefined) {
      const matched = await bcrypt.compare(password, hash ?? dummyHash).catch(() => false);
      ok = matched && hash !== undefined;
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, ok);
    }
    return ok;
  };
}
