// Configuration: one YAML file (the embedded default or --config FILE), validated while parsed,
// defaults in one place. Every user mistake becomes an InputError naming the file, the key and the problem.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import cron from 'node-cron';
import { z } from 'zod';
import { DEFAULT_CLOUD, OPT_IN_CATEGORIES, endpointSchema, describeIssue, unknownCloudProblem } from './catalogue.js';
import { InputError, readInputFile } from '../errors.js';
import { DEFAULT_CONFIG_FILE } from '../paths.js';
import { CREDENTIAL_SCHEMES, TLS_VERSIONS, expandPath, parseDnsServer, parseTenantValue } from './values.js';

const proxyUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${redactUrl(value)}" is not a URL (expected http://host:port)` });
    return;
  }
  if (url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: `must be an http:// proxy URL, got "${url.protocol}"` });
  if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not carry credentials; use credentials.passwordFile or credentials.passwordEnv' });
  if (url.pathname !== '/' || url.search) ctx.addIssue({ code: 'custom', message: 'must be http://host:port with no path' });
});

const cronExpression = z.string().refine((value) => cron.validate(value), 'is not a valid cron expression');

const credentialsSchema = z
  .object({
    /** auto: answer what the proxy's 407 offers, preferring Negotiate, then NTLM, then Basic (as .NET does). */
    scheme: z.enum(CREDENTIAL_SCHEMES, { error: (issue) => `unknown scheme "${String(issue.input)}" (one of ${CREDENTIAL_SCHEMES.join(', ')})` }).default('auto'),
    /** For basic and ntlm (and auto's NTLM and Basic): DOMAIN\\user or user@domain. */
    username: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    passwordEnv: z.string().min(1).optional(),
    /** For negotiate: a client keytab the agent gets its Kerberos tickets from (else the process's ticket cache). */
    keytab: z.string().min(1).optional(),
    /** For negotiate: the client principal (svc@FABRIKAM.COM). */
    principal: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be name@REALM').optional(),
    /** For negotiate: the proxy's service principal (HTTP@proxy.fabrikam.com); default HTTP@<proxy host>. */
    spn: z.string().regex(/^[^@\s/]+[@/][^@\s]+$/, 'must be service@host (HTTP@proxy.fabrikam.com)').optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const passwords = Number(Boolean(c.passwordFile)) + Number(Boolean(c.passwordEnv));
    const needsPassword = c.scheme === 'basic' || c.scheme === 'ntlm' || (c.scheme === 'auto' && c.username !== undefined);
    if (needsPassword && !c.username) ctx.addIssue({ code: 'custom', path: ['username'], message: `scheme ${c.scheme} needs a username` });
    if (needsPassword && passwords !== 1) ctx.addIssue({ code: 'custom', message: 'needs exactly one of passwordFile or passwordEnv' });
    if (!needsPassword && passwords > 0) ctx.addIssue({ code: 'custom', message: `scheme ${c.scheme} ${c.username ? 'takes' : 'without a username takes'} no password (Kerberos uses a keytab or the ticket cache)` });
    if (c.scheme !== 'negotiate' && c.scheme !== 'auto') {
      for (const key of ['keytab', 'principal', 'spn'] as const) if (c[key]) ctx.addIssue({ code: 'custom', path: [key], message: `is for the negotiate scheme, not ${c.scheme}` });
    }
    if (c.scheme === 'negotiate' && c.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'is not used by the negotiate scheme (give principal for Kerberos)' });
  });

const routeSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be letters, digits, ., - or _ (at most 63)'),
    proxy: proxyUrl.optional(),
    /** Host patterns that skip the proxy on this route (like NO_PROXY). */
    bypass: z.array(z.string().min(1)).default([]),
    credentials: credentialsSchema.optional(),
    /** Take the proxy from a .NET machine.config, as the sync engine does ("default": this machine's). */
    machineConfig: z.string().min(1).optional(),
    /** Also check Entra Connect's miiserver.exe.config for proxy settings that an upgrade would overwrite. */
    miiserverConfig: z.string().min(1).optional(),
    /**
     * Take the proxy from WinHTTP's settings, as CryptoAPI does for revocation: "registry" reads the live registry
     * (Windows only), anything else names a file written by `reg export` of the Internet Settings\Connections key.
     */
    winhttp: z.string().min(1).optional(),
    /** Which route this route's revocation checks take: winhttp (as CryptoAPI does, the default) or self. */
    revocation: z.enum(['winhttp', 'self']).default('winhttp'),
    /**
     * What the route carries: every probe (all), or only the revocation checks (the catalogue's certificate rows and
     * the served chains' CRL and OCSP URLs) that other routes send it, as CryptoAPI's WinHTTP path does.
     */
    carries: z.enum(['all', 'revocation']).default('all'),
  })
  .strict()
  .refine((r) => [r.proxy, r.machineConfig, r.winhttp].filter(Boolean).length <= 1, 'give at most one of proxy, machineConfig and winhttp')
  .refine((r) => !r.credentials || r.proxy || r.machineConfig || r.winhttp, 'credentials need a proxy');

const tlsVersion = z.enum(TLS_VERSIONS, { error: (issue) => `unknown TLS version "${String(issue.input)}" (one of ${TLS_VERSIONS.join(', ')})` });

/** Holds that bracket both the article's 5 minutes and the prerequisites' 6, so a measured timeout falls between two. */
export const DEFAULT_IDLE_HOLDS = [60, 150, 240, 330, 390] as const;
export const DEFAULT_IDLE_MINIMUM = 300;

const listenSchema = z.string().refine((value) => parseListen(value) !== undefined, 'must be "HOST:PORT" (e.g. "0.0.0.0:9815" or "[::1]:9815")');

export const configSchema = z
  .object({
    // Any cloud with a catalogue file (config/endpoints/<cloud>.yaml, or one in the extra catalogue directories).
    cloud: z
      .string()
      .superRefine((value, ctx) => {
        const problem = unknownCloudProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default(DEFAULT_CLOUD),
    routes: z.array(routeSchema).optional(),
    listen: listenSchema.default('0.0.0.0:9815'),
    catalogue: z
      .object({
        exclude: z.array(z.string()).default([]),
        /** Optional categories to probe as well (off by default): health = Microsoft Entra Connect Health. */
        include: z.array(z.enum(OPT_IN_CATEGORIES, { error: (issue) => `unknown category "${String(issue.input)}" (one of ${OPT_IN_CATEGORIES.join(', ')})` })).default([]),
        add: z.array(endpointSchema).default([]),
        expectedStatus: z.record(z.string(), z.array(z.number().int().min(100).max(599))).default({}),
      })
      .strict()
      .default({ exclude: [], include: [], add: [], expectedStatus: {} }),
    probes: z
      .object({
        schedule: cronExpression.default('* * * * *'),
        timeoutSeconds: z.number().positive().max(600).default(10),
        concurrency: z.number().int().min(1).max(1000).default(8),
        maxBodyBytes: z.number().int().min(0).max(16 * 1024 * 1024).default(65536),
        expectedStatus: z.array(z.number().int().min(100).max(599)).default([]),
      })
      .strict()
      .default({ schedule: '* * * * *', timeoutSeconds: 10, concurrency: 8, maxBodyBytes: 65536, expectedStatus: [] }),
    idle: z
      .object({
        enabled: z.boolean().default(true),
        schedule: cronExpression.default('*/30 * * * *'),
        holdSeconds: z.array(z.number().positive().max(3600)).min(1).max(16).default([...DEFAULT_IDLE_HOLDS]),
        /** The prerequisites page: the proxy idle timeout must be at least 6 minutes. */
        requiredSeconds: z.number().positive().max(3600).default(360),
        /** The troubleshooting article: greater than 5 minutes. Between the two the verdict is warn. */
        minimumSeconds: z.number().positive().max(3600).optional(),
        endpoint: z.string().default('adminwebservice'),
      })
      .strict()
      .refine((idle) => idle.holdSeconds.some((hold) => hold > idle.requiredSeconds), {
        message: 'no hold in idle.holdSeconds is longer than idle.requiredSeconds, so the check could never pass',
        path: ['holdSeconds'],
      })
      .refine((idle) => idle.minimumSeconds === undefined || idle.minimumSeconds <= idle.requiredSeconds, {
        message: 'must not be more than idle.requiredSeconds',
        path: ['minimumSeconds'],
      })
      // Without minimumSeconds, the article's 5 minutes, or the requirement when that is lower (no warn band then).
      .transform((idle) => ({ ...idle, minimumSeconds: idle.minimumSeconds ?? Math.min(DEFAULT_IDLE_MINIMUM, idle.requiredSeconds) }))
      .default({ enabled: true, schedule: '*/30 * * * *', holdSeconds: [...DEFAULT_IDLE_HOLDS], requiredSeconds: 360, minimumSeconds: DEFAULT_IDLE_MINIMUM, endpoint: 'adminwebservice' }),
    /** Sign-in discovery (user realm, tenant, federation) for this domain, user principal name or tenant id. */
    tenant: z
      .object({
        domain: z
          .string()
          .superRefine((value, ctx) => {
            const t = parseTenantValue(value);
            if ('error' in t) ctx.addIssue({ code: 'custom', message: t.error });
          })
          .optional(),
        schedule: cronExpression.default('*/5 * * * *'),
      })
      .strict()
      .default({ schedule: '*/5 * * * *' }),
    tls: z
      .object({
        caFile: z.string().min(1).optional(),
        /** PEM roots Microsoft's endpoints must chain to, instead of the cloud catalogue's (labs, private clouds). */
        expectedRootsFile: z.string().min(1).optional(),
        /** The sync engine must be able to use TLS 1.2: that is what is offered unless these say otherwise. */
        minVersion: tlsVersion.default('TLSv1.2'),
        maxVersion: tlsVersion.default('TLSv1.2'),
      })
      .strict()
      .refine((t) => TLS_VERSIONS.indexOf(t.minVersion) <= TLS_VERSIONS.indexOf(t.maxVersion), { message: 'must not be below tls.minVersion', path: ['maxVersion'] })
      .default({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }),
    /** Pin names to addresses (like curl --resolve) for direct routes: test a given front end, or a lab. */
    resolve: z.record(z.string(), z.string().regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address')).default({}),
    /** Ask these DNS servers ("HOST:PORT" or an address) instead of the system resolver for names not pinned in resolve. */
    dns: z
      .object({ servers: z.array(z.string().refine((v) => parseDnsServer(v) !== undefined, 'must be an IP address with an optional port ("127.0.0.1:53", "[::1]:53")').transform((v) => parseDnsServer(v)!)).max(8).default([]) })
      .strict()
      .default({ servers: [] }),
    /** Host facts of the Entra Connect server: `reg export` files to read instead of the live registry (Windows). */
    host: z
      .object({ registry: z.array(z.string().min(1)).default([]) })
      .strict()
      .default({ registry: [] }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type AgentConfig = z.infer<typeof configSchema> & { file: string };
export type RouteConfig = z.infer<typeof routeSchema>;

export function parseListen(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Drops user:password from a URL before it is shown anywhere. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/[^/@]*@/, '//');
}

/** Where a route reads the machine.config of this machine (%WINDIR%\\Microsoft.NET\\Framework64\\v4.0.30319\\Config). */
export const DEFAULT_MACHINE_CONFIG = 'default';

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): AgentConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      // "C:\ProgramData\x" in double quotes is the usual way to meet this one: say how to write a Windows path.
      const hint = err.code === 'BAD_DQ_ESCAPE' ? ' (in double quotes a backslash starts an escape: write Windows paths in single quotes, unquoted, or with forward slashes)' : '';
      throw new InputError(file, pos ? `line ${pos.line} column ${pos.col}` : '', `malformed YAML: ${err.message.split('\n')[0]}${hint}`);
    }
    throw new InputError(file, '', `malformed YAML: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(file, '', 'must be a YAML mapping of keys');
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const { key, problem } = describeIssue(parsed.error);
    throw new InputError(file, key, problem);
  }
  const config: AgentConfig = { ...parsed.data, file };
  const names = new Set<string>();
  for (const [i, r] of (config.routes ?? []).entries()) {
    if (names.has(r.name)) throw new InputError(file, `routes[${i}].name`, `duplicate route name "${r.name}"`);
    names.add(r.name);
  }
  if (config.routes === undefined) config.routes = routesFromEnvironment(env, platform);
  if (config.routes.length === 0) throw new InputError(file, 'routes', 'must list at least one route');
  if (!config.routes.some((r) => r.carries === 'all')) throw new InputError(file, `routes[0].carries`, 'no route carries all probes: at least one route must (carries: all, the default)');
  for (const [i, r] of config.routes.entries()) {
    // A revocation-only route is reached through revocationRoute(), which picks the first WinHTTP route.
    if (r.carries === 'revocation' && !r.winhttp) throw new InputError(file, `routes[${i}].carries`, 'only a winhttp route can carry just the revocation checks (other routes send theirs to the winhttp route)');
  }
  const path = (value: string) => expandPath(value, env, platform);
  for (const route of config.routes) {
    if (route.machineConfig && route.machineConfig !== DEFAULT_MACHINE_CONFIG) route.machineConfig = path(route.machineConfig);
    if (route.miiserverConfig) route.miiserverConfig = path(route.miiserverConfig);
    if (route.credentials?.passwordFile) route.credentials.passwordFile = path(route.credentials.passwordFile);
    if (route.credentials?.keytab) route.credentials.keytab = path(route.credentials.keytab);
  }
  if (config.tls.caFile) config.tls.caFile = path(config.tls.caFile);
  return config;
}

/**
 * With no routes configured. On Windows (the Entra Connect server) the route the sync engine takes: this machine's
 * machine.config. Elsewhere, and on Windows in addition when they are set, the proxy environment variables (as curl
 * and most tools read them); with neither, direct.
 */
export function routesFromEnvironment(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): RouteConfig[] {
  const routes: RouteConfig[] =
    platform === 'win32'
      ? [
          { name: 'machine-config', machineConfig: DEFAULT_MACHINE_CONFIG, bypass: [], revocation: 'winhttp', carries: 'all' },
          { name: 'winhttp', winhttp: 'registry', bypass: [], revocation: 'winhttp', carries: 'revocation' },
        ]
      : [];
  const proxy = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (!proxy) return routes.length > 0 ? routes : [{ name: 'direct', bypass: [], revocation: 'winhttp', carries: 'all' }];
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const checked = proxyUrl.safeParse(proxy);
  if (!checked.success) throw new InputError('environment', 'HTTPS_PROXY', checked.error.issues[0]?.message ?? 'invalid');
  return [...routes, { name: 'env-proxy', proxy, bypass: noProxy, revocation: 'winhttp', carries: 'all' }];
}

export function loadConfig(file: string = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): AgentConfig {
  return parseConfig(readInputFile(file), file, env, platform);
}

