// Measurements -> figures (one flat list, kept as JSON for --compare) -> the table in bench/README.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { SERVICE_ENV, type Measurements } from './harness.js';
import { median, percentile } from './lib.js';

export interface Figure {
  key: string;
  label: string;
  unit: string;
  ours: number;
  blackbox?: number;
  /** The target, in words, and whether this run met it. */
  target?: string;
  met?: boolean;
}

export interface Results {
  date: string;
  command: string;
  machine: { cores: number; cpu: string; node: string; kernel?: string; memoryGiB?: number; loadAverage?: number[] };
  mode: 'full' | 'quick';
  figures: Figure[];
  profile?: Measurements['profile'];
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const MB = 1024 * 1024;

export function figuresOf(m: Measurements): Figure[] {
  const f: Figure[] = [];
  const { ours, blackbox, floor } = m.accuracy;
  // Each side's timed phase minus the injected delay: our `request`, blackbox_exporter's and the floor's `processing`.
  const over = (ts: typeof ours, d: number, phase: string) => ts.filter((t) => t.delayMs === d).map((t) => (t.phasesMs[phase] ?? Number.NaN) - d);
  for (const d of m.params.delaysMs) {
    const o = over(ours, d, 'request');
    const b = over(blackbox, d, 'processing');
    for (const p of [50, 99]) {
      const ov = percentile(o, p);
      const bv = percentile(b, p);
      // The median may trail blackbox's by 0.1 ms (timer resolution of either side); the p99 may not.
      const slack = p === 50 ? 0.1 : 0;
      f.push({ key: `accuracy.d${d}.p${p}`, label: `request − ${d} ms delay, p${p} (n=${o.length} / ${b.length}, each window's first ${m.params.warmupRounds} rounds dropped; blackbox: processing)`, unit: 'ms', ours: r2(ov), blackbox: r2(bv), target: slack ? '≤ blackbox + 0.1' : '≤ blackbox', met: ov <= bv + slack });
    }
  }
  for (const d of m.params.delaysMs) {
    const o = over(ours.filter((t) => !t.disturbed), d, 'request');
    const b = over(blackbox, d, 'processing');
    f.push({ key: `accuracy.d${d}.p99.undisturbed`, label: `request − ${d} ms delay p99, ours without the probes it marked timingDisturbed (n=${o.length} / ${b.length})`, unit: 'ms', ours: r2(percentile(o, 99)), blackbox: r2(percentile(b, 99)) });
  }
  // The floor measures blackbox_exporter's span (from before the request is written to the first 'data'), so beside
  // blackbox's it shows what Node's own I/O path costs, and beside ours what the agent adds.
  for (const d of m.params.delaysMs) {
    const c = over(floor, d, 'processing');
    const b = over(blackbox, d, 'processing');
    for (const p of [50, 99]) {
      f.push({ key: `accuracy.floor.d${d}.p${p}`, label: `the same rounds by the bare Node prober: processing − ${d} ms delay, p${p} (n=${c.length} / ${b.length}; request written to first byte)`, unit: 'ms', ours: r2(percentile(c, p)), blackbox: r2(percentile(b, p)) });
    }
  }
  f.push({ key: 'accuracy.phaseSumError', label: 'max |sum of phases − total| over all our probes', unit: 'ms', ours: Number(m.accuracy.phaseSumErrorMaxMs.toFixed(4)), target: '≤ 0.1 ms', met: m.accuracy.phaseSumErrorMaxMs <= 0.1 });
  const phase = (ts: typeof ours, names: string[]) => median(ts.map((t) => names.reduce((a, n) => a + (t.phasesMs[n] ?? 0), 0)));
  f.push({ key: 'phases.connect', label: 'connect p50 (TCP to squid)', unit: 'ms', ours: r2(phase(ours, ['connect'])), blackbox: r2(phase(blackbox, ['connect'])) });
  f.push({ key: 'phases.proxy_connect', label: 'proxy_connect p50 (CONNECT answered; blackbox folds it into connect/tls)', unit: 'ms', ours: r2(phase(ours, ['proxy_connect'])) });
  f.push({ key: 'phases.tls', label: 'tls p50', unit: 'ms', ours: r2(phase(ours, ['tls'])), blackbox: r2(phase(blackbox, ['tls'])) });
  f.push({ key: 'phases.setup', label: 'connect + proxy_connect + tls p50 (blackbox: connect + tls)', unit: 'ms', ours: r2(phase(ours, ['connect', 'proxy_connect', 'tls'])), blackbox: r2(phase(blackbox, ['connect', 'tls'])) });
  const total0 = (ts: typeof ours) => median(ts.filter((t) => t.delayMs === 0).map((t) => t.totalMs));
  f.push({ key: 'phases.total0', label: 'total p50, 0 ms target', unit: 'ms', ours: r2(total0(ours)), blackbox: r2(total0(blackbox)) });
  f.push({ key: 'accuracy.disturbed', label: 'our accuracy probes marked timingDisturbed', unit: 'probes', ours: ours.filter((t) => t.disturbed).length });
  f.push({ key: 'accuracy.failed', label: 'failed probes in the accuracy windows', unit: 'probes', ours: m.accuracy.oursFailed, blackbox: m.accuracy.blackboxFailed });
  f.push({ key: 'accuracy.floor.failed', label: 'failed probes of the bare Node prober in the accuracy windows', unit: 'probes', ours: m.accuracy.floorFailed });

  const cpuOurs = m.cost.ours.cpuSeconds / Math.max(1, m.cost.ours.probes);
  const cpuBb = m.cost.blackbox.cpuSeconds / Math.max(1, m.cost.blackbox.probes);
  f.push({ key: 'cost.cpuPerProbe', label: `process CPU per probe (${m.cost.ours.probes} / ${m.cost.blackbox.probes} probes, each side's window ${m.params.costWindowSeconds} s after ${m.params.costWarmupSeconds ?? 1} s running)`, unit: 'ms', ours: r2(cpuOurs * 1000), blackbox: r2(cpuBb * 1000) });
  f.push({ key: 'cost.ratio', label: 'CPU per probe, ours ÷ blackbox', unit: '×', ours: r2(cpuOurs / cpuBb), target: '≤ 1.0×', met: cpuOurs <= cpuBb });
  if (m.cost.floor && m.cost.floor.probes > 0) {
    const cpuFloor = m.cost.floor.cpuSeconds / m.cost.floor.probes;
    f.push({ key: 'cost.floor.cpuPerProbe', label: `the same probes by a bare Node prober (bench/node-floor.ts: TCP, CONNECT, TLS 1.2, GET, nothing else; ${m.cost.floor.probes} probes)`, unit: 'ms', ours: r2(cpuFloor * 1000), blackbox: r2(cpuBb * 1000) });
    f.push({ key: 'cost.floor.ratio', label: 'CPU per probe, bare Node floor ÷ blackbox (what Node itself costs)', unit: '×', ours: r2(cpuFloor / cpuBb) });
    f.push({ key: 'cost.overFloor', label: 'CPU per probe, ours ÷ bare Node floor (what the agent adds)', unit: '×', ours: r2(cpuOurs / cpuFloor) });
  }
  if (m.cost.floorRssBytes) f.push({ key: 'cost.floor.rss', label: 'RSS of the bare Node prober after its cost windows (node, TLS, HTTP, one secure context)', unit: 'MB', ours: r2(m.cost.floorRssBytes / MB) });

  const alone = ours.filter((t) => t.delayMs === 20).map((t) => t.phasesMs.request ?? Number.NaN);
  for (const [i, c] of m.scale.entries()) {
    const n = i + 1;
    f.push({ key: `scale.c${n}.seconds`, label: `cycle ${n} wall time, ${c.probes} probes, concurrency ${m.params.scaleConcurrency}${i === 0 ? ' (cold: first run after start)' : ''}`, unit: 's', ours: r2(c.cycleSeconds), target: m.params.scaleEndpoints >= 1000 ? '< 30 s' : undefined, met: m.params.scaleEndpoints >= 1000 ? c.cycleSeconds < 30 : undefined });
    f.push({ key: `scale.c${n}.failed`, label: `cycle ${n} failed probes`, unit: 'probes', ours: c.failed });
    f.push({ key: `scale.c${n}.peakSockets`, label: `cycle ${n} peak open connections to the proxy (limit: concurrency, no idle tunnels)`, unit: 'sockets', ours: c.peakSockets, target: `≤ ${m.params.scaleConcurrency}`, met: c.peakSockets <= m.params.scaleConcurrency });
    const inflP99 = percentile(c.requestMs, 99) - percentile(alone, 99);
    f.push({ key: `scale.c${n}.inflationP50`, label: `cycle ${n} request p50 of the 20 ms targets minus alone (${r2(median(c.requestMs))} − ${r2(median(alone))})`, unit: 'ms', ours: r2(median(c.requestMs) - median(alone)) });
    f.push({ key: `scale.c${n}.inflationP99`, label: `cycle ${n} request p99 of the 20 ms targets minus alone (${r2(percentile(c.requestMs, 99))} − ${r2(percentile(alone, 99))})`, unit: 'ms', ours: r2(inflP99), target: '< 5 ms', met: inflP99 < 5 });
    const calm = c.requestMsUndisturbed;
    const calmP99 = percentile(calm, 99) - percentile(alone, 99);
    f.push({ key: `scale.c${n}.inflationP99Undisturbed`, label: `cycle ${n} the same, only probes not marked timingDisturbed (n=${calm.length}; ${r2(percentile(calm, 99))} − ${r2(percentile(alone, 99))})`, unit: 'ms', ours: r2(calmP99), target: '< 5 ms', met: calmP99 < 5 });
    f.push({ key: `scale.c${n}.disturbed`, label: `cycle ${n} probes marked timingDisturbed (lag > 10 ms)`, unit: 'probes', ours: c.disturbed });
    f.push({ key: `scale.c${n}.heap`, label: `heap used after cycle ${n} (${c.series} series exported)`, unit: 'MB', ours: r2(c.heapBytes / MB) });
    if (i > 0) f.push({ key: `scale.c${n}.cpuPerProbe`, label: `process CPU per probe at load (cycle ${n}, since the previous scrape)`, unit: 'ms', ours: r2((c.cpuSeconds / Math.max(1, c.probes)) * 1000) });
  }
  const sb = m.scaleBlackbox;
  const bbAlone = blackbox.filter((t) => t.delayMs === 20).map((t) => t.phasesMs.processing ?? Number.NaN);
  const last = m.scale[m.scale.length - 1];
  f.push({ key: 'scale.bb.seconds', label: `the same ${sb.probes} probes, ${m.params.scaleConcurrency} at a time: wall time (ours: last cycle; blackbox: one route, no proxy auth)`, unit: 's', ours: r2(last?.cycleSeconds ?? Number.NaN), blackbox: r2(sb.seconds) });
  f.push({ key: 'scale.bb.failed', label: 'failed probes at load (last cycle)', unit: 'probes', ours: last?.failed ?? Number.NaN, blackbox: sb.failed });
  f.push({ key: 'scale.bb.cpuPerProbe', label: 'process CPU per probe at load', unit: 'ms', ours: r2(m.scale.length > 1 ? (last!.cpuSeconds / Math.max(1, last!.probes)) * 1000 : Number.NaN), blackbox: r2((sb.cpuSeconds / Math.max(1, sb.probes)) * 1000) });
  f.push({ key: 'scale.bb.inflationP99', label: 'request (blackbox: processing) p99 at load minus alone, all probes', unit: 'ms', ours: r2(last ? percentile(last.requestMs, 99) - percentile(alone, 99) : Number.NaN), blackbox: r2(percentile(sb.processingMs, 99) - percentile(bbAlone, 99)) });
  f.push({ key: 'footprint.loadRss', label: `peak RSS during the ${m.params.scaleEndpoints}-endpoint cycles`, unit: 'MB', ours: r2(m.scalePeakRssBytes / MB), target: m.params.scaleEndpoints >= 1000 ? '< 150 MB' : undefined, met: m.params.scaleEndpoints >= 1000 ? m.scalePeakRssBytes < 150 * MB : undefined });
  f.push({ key: 'footprint.readyMs', label: `start-up to /-/ready, default configuration (${m.footprint.probes} probes, ${m.footprint.failed} failed)`, unit: 'ms', ours: Math.round(m.footprint.readyMs) });
  f.push({ key: 'footprint.idleRss', label: `RSS idle after the first run, default configuration (median of ${m.footprint.idleRssEachBytes?.map((b) => r2(b / MB)).join(', ') ?? 'one start'})`, unit: 'MB', ours: r2(m.footprint.idleRssBytes / MB), target: '< 64 MB', met: m.footprint.idleRssBytes < 64 * MB });
  f.push({ key: 'footprint.idleAnon', label: 'of which anonymous (RssAnon: heap, buffers, stacks)', unit: 'MB', ours: r2(m.footprint.idleAnonBytes / MB) });
  f.push({ key: 'footprint.idleFile', label: 'of which file-backed (RssFile: pages of the node binary, ICU data; shared, clean)', unit: 'MB', ours: r2(m.footprint.idleFileBytes / MB) });
  if (m.footprint.idlePssBytes) f.push({ key: 'footprint.idlePss', label: 'of which its own share (smaps_rollup Pss: shared pages divided among the processes mapping them)', unit: 'MB', ours: r2(m.footprint.idlePssBytes / MB) });
  f.push({ key: 'footprint.idleHeap', label: 'heap used idle after the first run, default configuration', unit: 'MB', ours: r2(m.footprint.idleHeapBytes / MB) });
  if (m.footprint.idleHeapTotalBytes) f.push({ key: 'footprint.idleHeapTotal', label: 'heap committed (V8 heapTotal) idle after the first run', unit: 'MB', ours: r2(m.footprint.idleHeapTotalBytes / MB) });
  if (m.service) {
    const sf = m.service.footprint;
    const env = Object.entries(SERVICE_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
    f.push({ key: 'service.idleRss', label: `the same as the systemd unit starts it (${env}): RSS idle after the first run (median of ${sf.idleRssEachBytes?.map((b) => r2(b / MB)).join(', ')}; anonymous ${r2(sf.idleAnonBytes / MB)}, file-backed ${r2(sf.idleFileBytes / MB)}; ${sf.probes} probes, ${sf.failed} failed)`, unit: 'MB', ours: r2(sf.idleRssBytes / MB), target: '< 64 MB', met: sf.idleRssBytes < 64 * MB });
  }
  return f;
}

export function resultsOf(m: Measurements, mode: Results['mode'], command: string): Results {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    command,
    machine: { cores: cpu.length, cpu: cpu[0]?.model.trim() ?? 'unknown', node: process.version, kernel: release(), memoryGiB: r2(totalmem() / 1024 ** 3), loadAverage: loadavg().map(r2) },
    mode,
    figures: figuresOf(m),
    profile: m.profile,
  };
}

const show = (x: number | undefined) => (x === undefined ? '' : Number.isNaN(x) ? 'n/a' : String(x));

export function table(r: Results): string {
  const rows = r.figures.map((f) => `| ${f.label} | ${f.unit} | ${show(f.ours)} | ${show(f.blackbox)} | ${f.target ?? ''} | ${f.met === undefined ? '' : f.met ? 'met' : '**missed**'} |`);
  return [
    `Run ${r.date} (${r.mode}), \`${r.command}\`, ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB ?? '?'} GiB, Linux ${r.machine.kernel ?? '?'}, Node ${r.machine.node}; load average at the end ${(r.machine.loadAverage ?? []).join(' / ')} (1 / 5 / 15 min: the machine is shared, so figures are noisy).`,
    '',
    '| measure | unit | ours | blackbox_exporter | target | |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function profileTable(r: Results): string {
  if (!r.profile || r.profile.length === 0) return '';
  return [
    "Where our daemon's CPU went: self time by function in a separate, uncounted cost window under `node --cpu-prof` (whole process life: start, first run, window):",
    '',
    '| function | self ms | share |',
    '|---|---|---|',
    ...r.profile.map((p) => `| \`${p.what}\` | ${p.selfMs.toFixed(1)} | ${(p.share * 100).toFixed(1)} % |`),
  ].join('\n');
}

export const START = '<!-- beside-blackbox:figures:start -->';
export const END = '<!-- beside-blackbox:figures:end -->';

/** Replaces only the generated figures of the "Beside blackbox_exporter" section; other sections stay as they are. */
export function writeReadme(file: string, r: Results): void {
  const generated = `${START}\n${table(r)}\n\n${profileTable(r)}\n${END}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const s = text.indexOf(START);
  const e = text.indexOf(END);
  if (s >= 0 && e > s) text = text.slice(0, s) + generated + text.slice(e + END.length);
  else text = `${text.trimEnd()}\n\n## Beside blackbox_exporter\n\n${generated}\n`;
  writeFileSync(file, text);
}

export function writeJson(file: string, r: Results): void {
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}

/** Previous figures beside these ones: the change, as a ratio. */
export function compare(previous: Results, now: Results): string {
  const before = new Map(previous.figures.map((f) => [f.key, f]));
  const lines = [`Compared with ${previous.date} (${previous.mode}, Node ${previous.machine.node}, ${previous.machine.cores} cores):`, ''];
  lines.push('| measure | unit | before | now | now ÷ before |', '|---|---|---|---|---|');
  for (const f of now.figures) {
    const b = before.get(f.key);
    const ratio = b && b.ours !== 0 ? (f.ours / b.ours).toFixed(2) : '';
    lines.push(`| ${f.label} | ${f.unit} | ${show(b?.ours)} | ${show(f.ours)} | ${ratio} |`);
  }
  return lines.join('\n');
}

export function readJson(file: string): Results | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Results;
}

export const paths = (dir: string) => ({ readme: join(dir, 'README.md'), json: join(dir, 'last-results.json') });
