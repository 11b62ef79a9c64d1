// Endpoint catalogues are data: one YAML file per cloud under config/endpoints/, holding the cloud's endpoints and
// the facts about it that code would otherwise hard-wire (login hosts, the instance name its login service reports,
// its tenants' initial domain, its directory domains). A new cloud is one more file; nothing in code names a cloud.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

// zod compiles a fast path for each object schema with new Function; the configuration is parsed a few times in a
// process's life, so the generated code would only sit in memory.
z.config({ jitless: true });
import { InputError } from '../errors.js';
import { CATALOGUE_DIR } from '../paths.js';

/** A cloud is named by its catalogue file (`<cloud>.yaml`); which names exist is read from the catalogue directories. */
export type Cloud = string;
/** The cloud of the article, and of the configuration when it names none. */
export const DEFAULT_CLOUD: Cloud = 'china';
/**
 * Extra catalogue directories (separated like PATH), searched before the package's own: a site adds or replaces a
 * cloud without touching the installed package.
 */
export const CATALOGUE_DIR_ENV = 'ENTRA_CONNECT_MONITOR_CATALOGUE_DIR';
export const CATEGORIES = ['directory', 'authentication', 'mfa', 'certificate', 'azure', 'telemetry', 'health', 'custom'] as const;
export type Category = (typeof CATEGORIES)[number];
/** Categories probed only when catalogue.include names them: Connect Health is a separate agent, not every server runs it. */
export const OPT_IN_CATEGORIES = ['health'] as const;
/** The row the article tests first (its Invoke-WebRequest of the connectivity test URL), in each shipped cloud's catalogue. */
export const CONNECTIVITY_TEST_ENDPOINT = 'adminwebservice';

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password;
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL without credentials');

export const endpointSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (at most 63)'),
    row: z.number().int().positive().optional(),
    pattern: z.string().min(1).optional(),
    url: httpUrl,
    description: z.string().default(''),
    category: z.enum(CATEGORIES).default('custom'),
    exports: z.boolean().default(false),
    required: z.boolean().default(true),
    expectedStatus: z.array(z.number().int().min(100).max(599)).optional(),
  })
  .strict();

/** A root certificate authority the cloud's endpoints chain to, as Microsoft publishes it; the certificate itself is
 * taken from Node's bundled root store by subject and thumbprint. */
const tlsRootSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (at most 63)'),
    subject: z.string().min(1),
    /** The SHA-1 thumbprint Microsoft's page lists (hex). */
    sha1: z.string().regex(/^[0-9A-Fa-f]{40}$/, 'must be 40 hex digits'),
    /** SHA-256 of the root's SubjectPublicKeyInfo (hex): what a chain's anchor is compared with. */
    spkiSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
    source: httpUrl,
  })
  .strict();
const hostName = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a lower-case DNS name');
const hostPattern = z.string().regex(/^\*\.[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a wildcard pattern "*.domain"');

const catalogueSchema = z
  .object({
    cloud: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,30}$/, 'must be lower-case letters, digits, - or _ (at most 31)'),
    loginHosts: z.array(hostName).min(1),
    /** What this cloud's login service reports as cloud_instance_name: tells a tenant's cloud from a user realm answer. */
    cloudInstance: hostName,
    /** The suffix of a tenant's initial domain (fabrikam.<initialDomain>), used in remedies as the example to sign in with. */
    initialDomain: hostName,
    /** Microsoft account (consumer) domains of this cloud: an account there is never a school or organization account. */
    consumerDomains: z.array(hostName).default([]),
    /** Domains under which discovery (adminwebservice, provisioningapi) hands the sync engine regional hosts. */
    directoryDomains: z.array(hostPattern).min(1),
    endpoints: z.array(endpointSchema).min(1),
    tlsRoots: z.array(tlsRootSchema).default([]),
  })
  .strict();

export type TlsRoot = z.infer<typeof tlsRootSchema>;

export interface Endpoint {
  id: string;
  row?: number;
  /** The name the proxy must allow, as the article writes it (may be a wildcard). */
  pattern: string;
  url: string;
  host: string;
  port: number;
  scheme: 'http' | 'https';
  description: string;
  category: Category;
  /** Exports to Microsoft Entra ID travel over this endpoint (the idle-timeout case). */
  exports: boolean;
  required: boolean;
  expectedStatus?: number[];
  cloud: Cloud | 'custom';
}

export interface Catalogue {
  cloud: Cloud;
  loginHosts: string[];
  cloudInstance: string;
  initialDomain: string;
  consumerDomains: string[];
  directoryDomains: string[];
  endpoints: Endpoint[];
  tlsRoots: TlsRoot[];
}

export function toEndpoint(raw: z.infer<typeof endpointSchema>, cloud: Cloud | 'custom'): Endpoint {
  const url = new URL(raw.url);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  return {
    id: raw.id,
    row: raw.row,
    pattern: raw.pattern ?? url.hostname,
    url: url.href,
    host: url.hostname,
    port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80,
    scheme,
    description: raw.description,
    category: raw.category,
    exports: raw.exports,
    required: raw.required,
    expectedStatus: raw.expectedStatus,
    cloud,
  };
}

/** Formats the first zod issue as "key.path: problem". */
export function describeIssue(error: z.ZodError): { key: string; problem: string } {
  const issue = error.issues[0];
  if (!issue) return { key: '', problem: 'invalid' };
  const key = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
  let problem = issue.message;
  if (issue.code === 'unrecognized_keys') problem = `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return { key, problem };
}

/** The directories catalogues are read from, first match wins: the extra ones from the environment, then the package's. */
export function catalogueDirs(): string[] {
  const extra = (process.env[CATALOGUE_DIR_ENV] ?? '').split(delimiter).filter((d) => d !== '');
  return [...extra, CATALOGUE_DIR];
}

/** Every cloud with a catalogue file, sorted. */
export function availableClouds(): Cloud[] {
  const names = new Set<Cloud>();
  for (const dir of catalogueDirs()) {
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const f of files) if (f.endsWith('.yaml')) names.add(f.slice(0, -'.yaml'.length));
  }
  return [...names].sort();
}

/** The file that defines `cloud` (in the first directory that has one), or undefined when none does. */
export function catalogueFile(cloud: Cloud): string | undefined {
  if (!/^[a-z0-9][a-z0-9_-]{0,30}$/.test(cloud)) return undefined;
  return catalogueDirs()
    .map((dir) => join(dir, `${cloud}.yaml`))
    .find((file) => existsSync(file));
}

/** Why `cloud` cannot be used, naming the clouds that can; undefined when it can. */
export function unknownCloudProblem(cloud: string): string | undefined {
  return catalogueFile(cloud) ? undefined : `unknown cloud "${cloud}" (one of ${availableClouds().join(', ')})`;
}

const cache = new Map<string, Catalogue>();

export function loadCatalogue(cloud: Cloud): Catalogue {
  const file = catalogueFile(cloud);
  if (!file) throw new InputError('cloud', '', unknownCloudProblem(cloud)!);
  const cached = cache.get(file);
  if (cached) return cached;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, '', `cannot read catalogue: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = catalogueSchema.safeParse(raw);
  if (!parsed.success) {
    const { key, problem } = describeIssue(parsed.error);
    throw new InputError(file, key, problem);
  }
  // The file name is the cloud's name everywhere (configuration, labels): a different name inside would be two names.
  if (parsed.data.cloud !== cloud) throw new InputError(file, 'cloud', `must be "${cloud}", the file's name`);
  const ids = new Set<string>();
  for (const e of parsed.data.endpoints) {
    if (ids.has(e.id)) throw new InputError(file, 'endpoints', `duplicate id "${e.id}"`);
    ids.add(e.id);
  }
  const { endpoints, ...facts } = parsed.data;
  const catalogue: Catalogue = { ...facts, endpoints: endpoints.map((e) => toEndpoint(e, cloud)) };
  cache.set(file, catalogue);
  return catalogue;
}

/** Catalogues of every cloud with a file. */
export function loadAvailableCatalogues(): Catalogue[] {
  return availableClouds().map((cloud) => loadCatalogue(cloud));
}

/** True when a host name falls under a catalogue pattern ("*.x.y" matches a.x.y and x.y). */
export function hostMatchesPattern(host: string, pattern: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const base = p.slice(2);
    return h === base || h.endsWith(`.${base}`);
  }
  return h === p;
}
