// Configuration: one YAML file (the embedded default or --config FILE), validated while parsed,
// defaults in one place. Every user mistake becomes an InputError naming the file, the key and the problem.
import { parse as parseYaml, YAMLParseError } from 'yaml';
import cron from 'node-cron';
import { z } from 'zod';
import { CLOUDS, endpointSchema, describeIssue } from './catalogue.js';
import { InputError, readInputFile } from '../errors.js';
import { DEFAULT_CONFIG_FILE } from '../paths.js';
import { parseDnsServer, parseTenantValue } from './values.js';
import { CREDENTIAL_SCHEMES } from '../net/auth/scheme.js';

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
    /** Take the proxy from a .NET machine.config, as the sync engine does. */
    machineConfig: z.string().min(1).optional(),
    /** Also check Entra Connect's miiserver.exe.config for proxy settings that an upgrade would overwrite. */
    miiserverConfig: z.string().min(1).optional(),
  })
  .strict()
  .refine((r) => !(r.proxy && r.machineConfig), 'give either proxy or machineConfig, not both')
  .refine((r) => !r.credentials || r.proxy || r.machineConfig, 'credentials need a proxy');

const listenSchema = z.string().refine((value) => parseListen(value) !== undefined, 'must be "HOST:PORT" (e.g. "0.0.0.0:9815" or "[::1]:9815")');

export const configSchema = z
  .object({
    cloud: z.enum(CLOUDS, { error: (issue) => `unknown cloud "${String(issue.input)}" (one of ${CLOUDS.join(', ')})` }).default('china'),
    routes: z.array(routeSchema).optional(),
    listen: listenSchema.default('0.0.0.0:9815'),
    catalogue: z
      .object({
        exclude: z.array(z.string()).default([]),
        add: z.array(endpointSchema).default([]),
        expectedStatus: z.record(z.string(), z.array(z.number().int().min(100).max(599))).default({}),
      })
      .strict()
      .default({ exclude: [], add: [], expectedStatus: {} }),
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
        holdSeconds: z.array(z.number().positive().max(3600)).min(1).max(16).default([60, 150, 240, 330]),
        requiredSeconds: z.number().positive().max(3600).default(300),
        endpoint: z.string().default('adminwebservice'),
      })
      .strict()
      .refine((idle) => idle.holdSeconds.some((hold) => hold > idle.requiredSeconds), {
        message: 'no hold in idle.holdSeconds is longer than idle.requiredSeconds, so the check could never pass',
        path: ['holdSeconds'],
      })
      .default({ enabled: true, schedule: '*/30 * * * *', holdSeconds: [60, 150, 240, 330], requiredSeconds: 300, endpoint: 'adminwebservice' }),
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
      .object({ caFile: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** Pin names to addresses (like curl --resolve) for direct routes: test a given front end, or a lab. */
    resolve: z.record(z.string(), z.string().regex(/^[0-9a-fA-F.:]+$/, 'must be an IP address')).default({}),
    /** Ask these DNS servers ("HOST:PORT" or an address) instead of the system resolver for names not pinned in resolve. */
    dns: z
      .object({ servers: z.array(z.string().refine((v) => parseDnsServer(v) !== undefined, 'must be an IP address with an optional port ("127.0.0.1:53", "[::1]:53")').transform((v) => parseDnsServer(v)!)).max(8).default([]) })
      .strict()
      .default({ servers: [] }),
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

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new InputError(file, pos ? `line ${pos.line} column ${pos.col}` : '', `malformed YAML: ${err.message.split('\n')[0]}`);
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
  if (config.routes === undefined) config.routes = routesFromEnvironment(env);
  if (config.routes.length === 0) throw new InputError(file, 'routes', 'must list at least one route');
  return config;
}

/** With no routes configured: the proxy environment variables if set (as curl and most tools read them), else direct. */
export function routesFromEnvironment(env: NodeJS.ProcessEnv): RouteConfig[] {
  const proxy = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  if (!proxy) return [{ name: 'direct', bypass: [] }];
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const checked = proxyUrl.safeParse(proxy);
  if (!checked.success) throw new InputError('environment', 'HTTPS_PROXY', checked.error.issues[0]?.message ?? 'invalid');
  return [{ name: 'env-proxy', proxy, bypass: noProxy }];
}

export function loadConfig(file: string = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  return parseConfig(readInputFile(file), file, env);
}

