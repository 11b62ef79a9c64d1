// `entra-connect-monitor explain "TEXT" [--run] [--json]`: from an error or symptom the admin saw, what it means,
// its likely causes, the remedy in the words of Microsoft's "Troubleshoot Microsoft Entra Connect connectivity
// issues" article, and the agent's checks that test it. The entries are data (config/explain.yaml, entries.ts),
// resolved for the configured cloud; here they are matched and shown.
import { parseArgs } from 'node:util';
import type { CheckName } from '../run/checks/names.js';
import { explainEntries, type ExplainEntry } from './entries.js';

const NOT_NETWORK = 'No network check can show this error: the connection worked, the problem is the account or the directory.';

// --- Matching ---

const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'be', 'been', 'can', 'cant', 'error', 'for', 'get', 'got', 'has', 'hasnt', 'i', 'in', 'is',
  'isnt', 'it', 'message', 'my', 'of', 'on', 'or', 'see', 'the', 'this', 'to', 'was', 'we', 'when', 'with',
]);

/** Lower case, quotes and apostrophes dropped ("can't" -> "cant"), other punctuation to spaces, spaces collapsed. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['‘’`"“”]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function significantTokens(normalised: string): string[] {
  return normalised.split(' ').filter((t) => t !== '' && !STOP_WORDS.has(t));
}

/** `needle` occurs in `hay` as whole words. */
function containsWords(hay: string, needle: string): boolean {
  return ` ${hay} `.includes(` ${needle} `);
}

/** `needle` occurs in `hay` starting at a word boundary (its last word may be cut short: "realm disc"). */
function containsFromWordStart(hay: string, needle: string): boolean {
  return ` ${hay}`.includes(` ${needle}`);
}

function scoreEntry(entry: ExplainEntry, text: string, tokens: string[]): number {
  const names = [normalise(entry.title), ...entry.aliases.map(normalise)];
  let best = 0;
  for (const [i, name] of names.entries()) {
    const isTitle = i === 0;
    if (name === text) best = Math.max(best, isTitle ? 100 : 95);
    // The text quotes the error (perhaps inside a longer log line): longer names are more specific.
    else if (containsWords(text, name)) best = Math.max(best, (isTitle ? 80 : 70) + Math.min(name.length, 60) / 6);
    // The text is a piece of the name ("realm", "407").
    else if (tokens.length > 0 && containsFromWordStart(name, text)) best = Math.max(best, 50 + (20 * text.length) / name.length);
    // Every significant word of the text starts a word of the name ("password expired", "wizard configured").
    else if (tokens.length > 0) {
      const words = name.split(' ');
      if (tokens.every((t) => words.some((w) => w.startsWith(t)))) best = Math.max(best, 30 + (10 * tokens.length) / words.length);
    }
  }
  return best;
}

/** Every entry the text matches, best first. Empty when nothing matches (or the text has no meaningful word). */
export function matchSymptom(text: string, entries: readonly ExplainEntry[] = explainEntries()): ExplainEntry[] {
  const norm = normalise(text);
  if (norm === '') return [];
  const tokens = significantTokens(norm);
  return entries.map((entry, order) => ({ entry, order, score: scoreEntry(entry, norm, tokens) }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((m) => m.entry);
}

// --- Command ---

export type CheckRunner = (checks: CheckName[]) => Promise<Array<{ check: string; ok: boolean; summary: string }>>;

const USAGE = 'usage: entra-connect-monitor explain "TEXT" [--run] [--json]';

function unionChecks(entries: readonly ExplainEntry[]): CheckName[] {
  const seen = new Set<CheckName>();
  for (const e of entries) for (const c of e.checks) seen.add(c);
  return [...seen];
}

function formatEntry(entry: ExplainEntry): string {
  const lines = [`${entry.title}  [${entry.id}]`, `  What it means: ${entry.meaning}`, '  Likely causes:'];
  for (const c of entry.causes) lines.push(`    - ${c}`);
  lines.push(`  Remedy (from the article): ${entry.remedy}`);
  if (entry.networkCheckable) lines.push(`  Agent checks that test it: ${entry.checks.join(', ')}`);
  else lines.push(`  Agent checks: none. ${NOT_NETWORK}`);
  if (entry.manualChecks && entry.manualChecks.length > 0) {
    lines.push('  Check by hand:');
    for (const m of entry.manualChecks) lines.push(`    - ${m}`);
  }
  return lines.join('\n');
}

function knownNames(entries: readonly ExplainEntry[]): string {
  return entries.map((e) => `  - ${e.title} (${e.id})`).join('\n');
}

/**
 * Runs `explain`. `argv` holds the arguments after the subcommand name; `entries` are those of the configured cloud
 * (by default the article's). Returns the exit code:
 * 0 matched (with --run: every check ok), 1 with --run when a check failed, 2 no match or bad usage.
 */
export async function runExplainCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  runChecks?: CheckRunner,
  entries: readonly ExplainEntry[] = explainEntries(),
): Promise<number> {
  let values: { run?: boolean; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { run: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err.write(`explain: ${(e as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${USAGE}\nExplains an error or symptom from Microsoft's Entra Connect connectivity troubleshooting article.\nKnown names:\n${knownNames(entries)}\n`);
    return 0;
  }
  // Several positionals: the user forgot the quotes; read them as one text.
  const text = positionals.join(' ').trim();
  if (text === '') {
    err.write(`explain: give the error or symptom text\n${USAGE}\n`);
    return 2;
  }

  const matches = matchSymptom(text, entries);
  if (matches.length === 0) {
    if (values.json) {
      out.write(`${JSON.stringify({ query: text, matches: [], known: entries.map((e) => ({ id: e.id, title: e.title })) }, null, 2)}\n`);
    } else {
      err.write(`explain: nothing known matches "${text}". Known errors and symptoms:\n${knownNames(entries)}\n`);
    }
    return 2;
  }

  const checks = unionChecks(matches);
  if (!values.run) {
    if (values.json) out.write(`${JSON.stringify({ query: text, matches, checks }, null, 2)}\n`);
    else out.write(`${matches.map(formatEntry).join('\n\n')}\n`);
    return 0;
  }

  if (!values.json) out.write(`${matches.map(formatEntry).join('\n\n')}\n\n`);
  if (!runChecks) {
    if (values.json) out.write(`${JSON.stringify({ query: text, matches, checks, results: null }, null, 2)}\n`);
    err.write('explain: checks are unavailable here (--run needs the agent configuration); run without --run.\n');
    return 2;
  }
  if (checks.length === 0) {
    if (values.json) out.write(`${JSON.stringify({ query: text, matches, checks, results: [], ok: true }, null, 2)}\n`);
    else out.write(`No network check tests ${matches.length === 1 ? 'this error' : 'these errors'}; check by hand as listed above.\n`);
    return 0;
  }

  let verdicts: Array<{ check: string; ok: boolean; summary: string }>;
  try {
    verdicts = await runChecks(checks);
  } catch (e) {
    err.write(`explain: the checks could not run: ${(e as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  // A check the runner gave no verdict for counts as failed: silence is not health.
  const results = checks.map(
    (check) => verdicts.find((v) => v.check === check) ?? { check, ok: false, summary: 'no verdict returned for this check' },
  );
  const ok = results.every((r) => r.ok);
  if (values.json) {
    out.write(`${JSON.stringify({ query: text, matches, checks, results, ok }, null, 2)}\n`);
  } else {
    const width = Math.max(...results.map((r) => r.check.length));
    out.write('Checks:\n');
    for (const r of results) out.write(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.check.padEnd(width)}  ${r.summary}\n`);
    out.write(ok ? 'All checks passed.\n' : `${results.filter((r) => !r.ok).length} of ${results.length} checks failed.\n`);
  }
  return ok ? 0 : 1;
}
