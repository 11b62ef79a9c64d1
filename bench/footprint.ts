// `npm run bench:footprint [-- --runs N] [-- --snapshot] [-- --keep-snapshot FILE] [-- --node-args "FLAGS"] [-- --env K=V]`: where the idle
// daemon's memory goes. The default configuration (China catalogue, proxy from HTTPS_PROXY, the test CA from
// NODE_EXTRA_CA_CERTS) against the bench's loopback set-up, 3 s after its first run: VmRSS and its anonymous /
// file-backed parts, /proc/PID/smaps_rollup, the V8 heap by space and external memory (prom-client's view of
// process.memoryUsage()), and with --snapshot a heap snapshot summarised by what holds the bytes. Medians of N runs.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDaemon, waitReady, type LogLine } from './agent.js';
import { median, memory, samples, sleep, sum, until } from './lib.js';
import { startSetup, type BenchSetup } from './setup.js';

const MiB = 1024 * 1024;

export interface Footprint {
  rss: number;
  anon: number;
  file: number;
  /** /proc/PID/smaps_rollup, bytes. */
  rollup: Record<string, number>;
  heapTotal: number;
  heapUsed: number;
  external: number;
  /** Used bytes per V8 heap space. */
  spaces: Record<string, number>;
  readyMs: number;
  /** The first run's summary: probes and failures. */
  probes: number;
  failed: number;
  snapshot?: SnapshotSummary;
}

export interface SnapshotSummary {
  totalBytes: number;
  /** Self size by node type (object, string, code, closure, ...). */
  byType: Array<{ what: string; bytes: number; count: number }>;
  /** Self size by constructor or code name, the largest first. */
  byName: Array<{ what: string; bytes: number; count: number }>;
}

function rollup(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) * 1024;
  }
  return out;
}

/** Self sizes of a .heapsnapshot grouped by node type and by name (constructor for objects, source for code). */
export function summariseSnapshot(file: string, top = 25): SnapshotSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [ti, ni, si] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const byType = new Map<string, { bytes: number; count: number }>();
  const byName = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  const add = (m: Map<string, { bytes: number; count: number }>, k: string, b: number) => {
    const e = m.get(k) ?? { bytes: 0, count: 0 };
    e.bytes += b;
    e.count++;
    m.set(k, e);
  };
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + ti]!]!;
    const size = snap.nodes[i + si]!;
    totalBytes += size;
    add(byType, type, size);
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '(strings)' : `${type}: ${(snap.strings[snap.nodes[i + ni]!] ?? '').slice(0, 80)}`;
    add(byName, name, size);
  }
  const sorted = (m: Map<string, { bytes: number; count: number }>) => [...m.entries()].map(([what, v]) => ({ what, ...v })).sort((a, b) => b.bytes - a.bytes);
  return { totalBytes, byType: sorted(byType), byName: sorted(byName).slice(0, top) };
}

export interface SnapshotDiffRow {
  what: string;
  startBytes: number;
  endBytes: number;
  startCount: number;
  endCount: number;
}

/** What changed between two snapshot summaries (taken with an unlimited `top`), the largest changes first. */
export function diffSnapshots(a: SnapshotSummary, b: SnapshotSummary, top = 20): SnapshotDiffRow[] {
  const rows = new Map<string, SnapshotDiffRow>();
  for (const r of a.byName) rows.set(r.what, { what: r.what, startBytes: r.bytes, endBytes: 0, startCount: r.count, endCount: 0 });
  for (const r of b.byName) {
    const row = rows.get(r.what) ?? { what: r.what, startBytes: 0, endBytes: 0, startCount: 0, endCount: 0 };
    row.endBytes = r.bytes;
    row.endCount = r.count;
    rows.set(r.what, row);
  }
  return [...rows.values()].sort((x, y) => Math.abs(y.endBytes - y.startBytes) - Math.abs(x.endBytes - x.startBytes)).slice(0, top);
}

/** One start of the daemon on the default configuration, measured idle 3 s after its first run. */
export async function measureFootprint(setup: BenchSetup, opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; snapshot?: boolean; keepSnapshot?: string } = {}): Promise<Footprint> {
  const diag = opts.snapshot ? mkdtempSync(join(tmpdir(), 'ecm-footprint-')) : undefined;
  const nodeArgs = [...(opts.nodeArgs ?? []), ...(diag ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${diag}`] : [])];
  const env = { HTTPS_PROXY: `http://127.0.0.1:${setup.squid.port}`, NODE_EXTRA_CA_CERTS: setup.ca.certFile, ...opts.env };
  const daemon = await startDaemon(['--web.listen-address', '127.0.0.1:0'], env, nodeArgs);
  try {
    const readyMs = await waitReady(daemon);
    let run: (LogLine & { probes?: number; failed?: number }) | undefined;
    await until(() => (run = daemon.logs().find((l: LogLine) => l.msg === 'probe run complete')) !== undefined, 20_000, 'the first run summary', 10);
    await sleep(3000);
    const mem = memory(daemon.pid);
    const roll = rollup(daemon.pid);
    const text = await daemon.metrics();
    const spaces: Record<string, number> = {};
    for (const s of samples(text, 'nodejs_heap_space_size_used_bytes')) spaces[`${s.labels.space!} used`] = s.value;
    for (const s of samples(text, 'nodejs_heap_space_size_total_bytes')) spaces[`${s.labels.space!} committed`] = s.value;
    let snapshot: SnapshotSummary | undefined;
    if (diag) {
      process.kill(daemon.pid, 'SIGUSR2');
      let file = '';
      await until(() => {
        file = readdirSync(diag).find((f) => f.endsWith('.heapsnapshot')) ?? '';
        if (!file) return false;
        // Complete when the JSON is closed.
        return readFileSync(join(diag, file), 'utf8').trimEnd().endsWith('}');
      }, 30_000, 'the heap snapshot', 200);
      snapshot = summariseSnapshot(join(diag, file));
      if (opts.keepSnapshot) copyFileSync(join(diag, file), opts.keepSnapshot);
    }
    return {
      rss: mem.rss,
      anon: mem.anon,
      file: mem.file,
      rollup: roll,
      heapTotal: sum(samples(text, 'nodejs_heap_size_total_bytes')),
      heapUsed: sum(samples(text, 'nodejs_heap_size_used_bytes')),
      external: sum(samples(text, 'nodejs_external_memory_bytes')),
      spaces,
      readyMs,
      probes: Number(run?.probes ?? 0),
      failed: Number(run?.failed ?? 0),
      snapshot,
    };
  } finally {
    await daemon.stop();
    if (diag) rmSync(diag, { recursive: true, force: true });
  }
}

const mb = (b: number) => (b / MiB).toFixed(1);

export function formatFootprints(label: string, runs: Footprint[]): string {
  const med = (pick: (f: Footprint) => number) => median(runs.map(pick));
  const rows: Array<[string, number]> = [
    ['VmRSS', med((f) => f.rss)],
    ['RssAnon', med((f) => f.anon)],
    ['RssFile', med((f) => f.file)],
    ['smaps_rollup Pss', med((f) => f.rollup.Pss ?? 0)],
    ['smaps_rollup Private_Dirty', med((f) => f.rollup.Private_Dirty ?? 0)],
    ['smaps_rollup Shared_Clean', med((f) => f.rollup.Shared_Clean ?? 0)],
    ['heapTotal', med((f) => f.heapTotal)],
    ['heapUsed', med((f) => f.heapUsed)],
    ['external', med((f) => f.external)],
  ];
  for (const space of Object.keys(runs[0]?.spaces ?? {}).filter((k) => (runs[0]!.spaces[k] ?? 0) >= 64 * 1024)) rows.push([`  heap space ${space}`, med((f) => f.spaces[space] ?? 0)]);
  const rss = runs.map((f) => mb(f.rss)).join(', ');
  return [
    `${label}: median of ${runs.length} (VmRSS of each: ${rss} MiB; ready in ${Math.round(med((f) => f.readyMs))} ms)`,
    '',
    '| measure | MiB |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${mb(v)} |`),
  ].join('\n');
}

export function formatSnapshot(s: SnapshotSummary): string {
  return [
    `heap snapshot: ${mb(s.totalBytes)} MiB of self size`,
    '',
    '| by type | MiB | count |',
    '|---|---|---|',
    ...s.byType.map((r) => `| ${r.what} | ${mb(r.bytes)} | ${r.count} |`),
    '',
    '| by name (constructor, code) | KiB | count |',
    '|---|---|---|',
    ...s.byName.map((r) => `| ${r.what.replace(/\|/g, '\\|')} | ${(r.bytes / 1024).toFixed(0)} | ${r.count} |`),
  ].join('\n');
}

if (process.argv[1]?.endsWith('footprint.js')) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, snapshot: { type: 'boolean', default: false }, 'node-args': { type: 'string', default: '' }, env: { type: 'string', multiple: true, default: [] }, label: { type: 'string', default: 'as built' }, 'keep-snapshot': { type: 'string' } },
    strict: true,
  });
  const nodeArgs = values['node-args'].split(' ').filter(Boolean);
  const env = Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const setup = await startSetup(0);
  try {
    const runs: Footprint[] = [];
    for (let i = 0; i < Number(values.runs); i++) runs.push(await measureFootprint(setup, { nodeArgs, env, snapshot: (values.snapshot || values['keep-snapshot'] !== undefined) && i === 0, keepSnapshot: i === 0 ? values['keep-snapshot'] : undefined }));
    process.stdout.write(`${formatFootprints(`${values.label}${nodeArgs.length ? ` (node ${nodeArgs.join(' ')})` : ''}${values.env.length ? ` (${values.env.join(' ')})` : ''}`, runs)}\n\n`);
    if (runs[0]?.snapshot) process.stdout.write(`${formatSnapshot(runs[0].snapshot)}\n`);
  } finally {
    await setup.stop();
  }
}
