// `npm run bench [-- --quick] [-- --compare] [-- --profile] [-- --out DIR]`: the bench beside blackbox_exporter.
// Writes the table into DIR/README.md (section "Beside blackbox_exporter") and the figures into DIR/last-results.json;
// --compare prints the new figures beside the previous last-results.json before replacing it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, measure, QUICK } from './harness.js';
import { ROOT } from './lib.js';
import { compare, paths, readJson, resultsOf, table, writeJson, writeReadme, type Results } from './report.js';

export async function runBench(
  argv: string[],
  say: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<Results> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      compare: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  });
  const dir = values.out ?? join(ROOT, 'bench');
  const files = paths(dir);
  const previous = readJson(files.json);
  const started = Date.now();
  const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'ecm-bench-prof-')) : undefined;
  const m = await measure(values.quick ? QUICK : FULL, say, profileDir);
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv.filter((a) => a !== values.out && a !== '--out')] : [])].join(' ');
  const results = resultsOf(m, values.quick ? 'quick' : 'full', command);
  say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  print(`${table(results)}\n\n`);
  if (values.compare) {
    if (previous) print(`${compare(previous, results)}\n`);
    else print(`--compare: no previous ${files.json}\n`);
  }
  writeJson(files.json, results);
  writeReadme(files.readme, results);
  return results;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist-bench\//, 'dist-bench/'))) {
  // Bounded as a whole: the full bench takes about 6 minutes; at 15 it is stopped (a shared machine is slow).
  const guard = setTimeout(() => {
    process.stderr.write('bench: over 15 minutes, stopping\n');
    process.exit(3);
  }, 15 * 60_000);
  guard.unref();
  runBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
