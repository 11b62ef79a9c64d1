// The `explain` entries are data (config/explain.yaml). Loading validates them and resolves them for one cloud: its
// catalogue gives the hosts and URLs, the failure reasons give the remedies they share, and every check an entry
// names must exist (and an endpoint check's id must be in that cloud's catalogue).
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssue, DEFAULT_CLOUD, loadCatalogue, type Catalogue, type Cloud } from '../config/catalogue.js';
import { InputError, readInputFile } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { FAILURE_REASONS, REMEDIES } from '../probes/classify.js';
import { CHECK_NAMES, endpointOfCheck, isCheckName, type CheckName } from '../run/checks/names.js';

export const EXPLAIN_FILE = join(PACKAGE_ROOT, 'config', 'explain.yaml');

/** One error or symptom, resolved for a cloud: every text is final. */
export interface ExplainEntry {
  id: string;
  title: string;
  aliases: string[];
  meaning: string;
  causes: string[];
  remedy: string;
  checks: CheckName[];
  networkCheckable: boolean;
  manualChecks?: string[];
}

const text = z.string().min(1);
const checkName = z.string().superRefine((value, ctx) => {
  if (!isCheckName(value)) ctx.addIssue({ code: 'custom', message: `unknown check "${value}" (one of ${CHECK_NAMES.join(', ')}, or endpoint:ID)` });
});

const entrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits or - (at most 63)'),
    title: text,
    aliases: z.array(text).default([]),
    meaning: text,
    causes: z.array(text).min(1),
    /** The article's words, or the remedy of a failure reason when it is the same advice. */
    remedy: z.union([text, z.object({ reason: z.enum(FAILURE_REASONS) }).strict()], {
      error: () => `must be a text, or { reason: R } with R a failure reason (${FAILURE_REASONS.join(', ')})`,
    }),
    checks: z.array(checkName).default([]),
    networkCheckable: z.boolean(),
    manualChecks: z.array(text).min(1).optional(),
  })
  .strict()
  .refine((e) => e.networkCheckable === e.checks.length > 0, {
    message: 'networkCheckable must be true exactly when the entry names checks',
    path: ['networkCheckable'],
  })
  .refine((e) => e.networkCheckable || e.manualChecks !== undefined, {
    message: 'an entry no network check can show must say what to check by hand',
    path: ['manualChecks'],
  });

const fileSchema = z
  .object({
    texts: z.record(z.string().regex(/^[a-z0-9_]+$/, 'must be lower-case letters, digits or _'), text).default({}),
    entries: z.array(entrySchema).min(1),
  })
  .strict();

type RawFile = z.infer<typeof fileSchema>;

/** Resolves the placeholders of one text; `key` names where it sits, for the error. */
function resolver(file: string, catalogue: Catalogue, texts: RawFile['texts']) {
  const endpoint = (id: string, key: string) => {
    const found = catalogue.endpoints.find((e) => e.id === id);
    if (!found) throw new InputError(file, key, `no endpoint "${id}" in the ${catalogue.cloud} catalogue`);
    return found;
  };
  const resolve = (value: string, key: string, inText = false): string =>
    value.replace(/\{([^{}]*)\}/g, (_whole, inner: string) => {
      const [name, arg] = inner.split(':', 2) as [string, string | undefined];
      if (arg !== undefined) {
        switch (name) {
          case 'endpoint':
            return endpoint(arg, key).url;
          case 'host':
            return endpoint(arg, key).host;
          case 'pattern':
            return endpoint(arg, key).pattern;
          case 'text': {
            const said = texts[arg];
            if (said === undefined) throw new InputError(file, key, `no text "${arg}" under texts`);
            if (inText) throw new InputError(file, key, `a text may not include another ({text:${arg}})`);
            return resolve(said, `texts.${arg}`, true);
          }
        }
      } else {
        switch (name) {
          case 'loginHost':
            return catalogue.loginHosts[0]!;
          case 'initialDomain':
            return catalogue.initialDomain;
          case 'cloud':
            return catalogue.cloud;
        }
      }
      throw new InputError(file, key, `unknown placeholder {${inner}} (endpoint:ID, host:ID, pattern:ID, text:NAME, loginHost, initialDomain, cloud)`);
    });
  return resolve;
}

function resolveEntries(file: string, raw: RawFile, catalogue: Catalogue): ExplainEntry[] {
  const resolve = resolver(file, catalogue, raw.texts);
  // Every text is resolved once even when no entry uses it, so a bad one fails at load, not when it is first shown.
  for (const [name, said] of Object.entries(raw.texts)) resolve(said, `texts.${name}`, true);
  const ids = new Set<string>();
  return raw.entries.map((e, i) => {
    const at = `entries[${i}]`;
    if (ids.has(e.id)) throw new InputError(file, `${at}.id`, `duplicate id "${e.id}"`);
    ids.add(e.id);
    const checks = e.checks as CheckName[];
    for (const [j, check] of checks.entries()) {
      const id = endpointOfCheck(check);
      if (id !== undefined && !catalogue.endpoints.some((x) => x.id === id)) {
        throw new InputError(file, `${at}.checks[${j}]`, `no endpoint "${id}" in the ${catalogue.cloud} catalogue`);
      }
    }
    const entry: ExplainEntry = {
      id: e.id,
      title: resolve(e.title, `${at}.title`),
      aliases: e.aliases.map((a, j) => resolve(a, `${at}.aliases[${j}]`)),
      meaning: resolve(e.meaning, `${at}.meaning`),
      causes: e.causes.map((c, j) => resolve(c, `${at}.causes[${j}]`)),
      remedy: typeof e.remedy === 'string' ? resolve(e.remedy, `${at}.remedy`) : REMEDIES[e.remedy.reason],
      checks,
      networkCheckable: e.networkCheckable,
    };
    if (e.manualChecks) entry.manualChecks = e.manualChecks.map((m, j) => resolve(m, `${at}.manualChecks[${j}]`));
    return entry;
  });
}

function readEntriesFile(file: string): RawFile {
  let raw: unknown;
  try {
    raw = parseYaml(readInputFile(file));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, '', `malformed YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const { key, problem } = describeIssue(parsed.error);
    throw new InputError(file, key, problem);
  }
  return parsed.data;
}

/** Resolved entries by catalogue (catalogues are cached, so one per cloud), then by file. */
const cache = new WeakMap<Catalogue, Map<string, readonly ExplainEntry[]>>();

/** The entries of `file` resolved for `catalogue`'s cloud, validated; a mistake is an InputError naming the key. */
export function loadExplainEntries(catalogue: Catalogue, file: string = EXPLAIN_FILE): readonly ExplainEntry[] {
  const byFile = cache.get(catalogue) ?? new Map<string, readonly ExplainEntry[]>();
  cache.set(catalogue, byFile);
  const cached = byFile.get(file);
  if (cached) return cached;
  const entries = Object.freeze(resolveEntries(file, readEntriesFile(file), catalogue));
  byFile.set(file, entries);
  return entries;
}

/** The package's entries for `cloud` (by default the article's). */
export function explainEntries(cloud: Cloud = DEFAULT_CLOUD): readonly ExplainEntry[] {
  return loadExplainEntries(loadCatalogue(cloud));
}
