// The soak (issue 7.7): the daemon as a real process against the loopback lab for thousands of probes while faults
// rotate (a reload swaps the fault set every few runs), sampling the agent's open descriptors and sockets
// (/proc/PID/fd), heap and RSS between runs. `npm run bench:soak` runs the full soak; test/bench/soak.test.ts runs
// a quick one so this file cannot rot. Bounded in probes and in time. Heap and RSS are sampled right after a full
// GC (asked through the agent's inspector on a loopback port), so growth means memory still referenced.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { stringify } from 'yaml';
import { httpGet, listenPort, startAgent, type AgentProcess } from '../test/lab/agent-process.js';
import { startLab, type Lab } from '../test/lab/lab.js';
import { startResetting, startSilent, type Running } from '../test/lab/servers.js';
import { waitFor } from '../test/lab/squid.js';
import { diffSnapshots, summariseSnapshot, type SnapshotDiffRow } from './footprint.js';
import { within, startFakeProxy, startGarbageTls, startNxdomainDns, startResetOnData, startTlsAlert, startTlsStall, startTrickle } from '../test/faults/fault-servers.js';

export interface SoakOptions {
  /** Stop after at least this many probes... */
  probes: number;
  /** ...or after this many seconds, whichever comes first. */
  maxSeconds: number;
  /** Runs of warm-up before the baseline is taken. */
  warmupRuns?: number;
  /** Runs between fault rotations (each rotation is a reload). */
  rotateEvery?: number;
  log?: (line: string) => void;
  /** A run every this many seconds (default 2) and this probe timeout (default 1 s): the long soak runs faster. */
  everySeconds?: number;
  timeoutSeconds?: number;
  /** Adds squid's open port and a second authenticated route (125 probes a run instead of 75). */
  openRoute?: boolean;
  /**
   * Heap snapshots (--heapsnapshot-signal) two runs before the baseline and after the last sample, diffed by
   * constructor: what grew, if anything, and whether it is the agent's objects.
   */
  snapshots?: boolean;
}

export interface Sample {
  run: number;
  probes: number;
  seconds: number;
  fds: number;
  sockets: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface SoakReport {
  probes: number;
  seconds: number;
  runs: number;
  rotations: number;
  start: Sample;
  baseline: Sample;
  end: Sample;
  /** Largest excess of descriptors / sockets over the baseline in any between-runs sample after warm-up. */
  maxFdsOverBaseline: number;
  maxSocketsOverBaseline: number;
  perThousandProbes: { fds: number; sockets: number; rssBytes: number; heapUsedBytes: number };
  /** End sample minus baseline sample, per 10,000 probes. */
  rssGrowthPer10kProbesBytes: number;
  /**
   * The figure the target is checked on: lowest RSS of the last `window` samples minus lowest of the first `window`
   * after warm-up (the lows are where a GC has just run), per 10,000 probes between the two windows.
   */
  rssFloorGrowthPer10kProbesBytes: number;
  heapFloorGrowthPer10kProbesBytes: number;
  window: number;
  samples: Sample[];
  /** The largest growths between the two heap snapshots (end minus start), when taken. */
  snapshotDiff?: { startBytes: number; endBytes: number; rows: SnapshotDiffRow[] };
}

const NAMES = ['silent.soak.test', 'stall.soak.test', 'alert.soak.test', 'reset.soak.test', 'trickle.soak.test', 'garbage.soak.test'];

function fdCounts(pid: number): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      fds++;
      if (target.startsWith('socket:')) sockets++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return { fds, sockets };
}

function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * A full garbage collection in the agent through its inspector (the agent is started with --inspect on a loopback
 * port for the soak only), so that heap and RSS are sampled at their floor, not wherever V8's lazy GC left them.
 */
async function connectInspector(agent: AgentProcess): Promise<() => Promise<void>> {
  let url = '';
  await waitFor(() => {
    url = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(agent.stderr())?.[0] ?? '';
    return url !== '';
  }, 10_000, 'the agent inspector URL');
  const ws = new WebSocket(url);
  await within(new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('inspector connection failed')), { once: true });
  }), 10_000, 'the inspector connection');
  let id = 0;
  const pending = new Map<number, () => void>();
  ws.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as { id?: number };
    if (reply.id !== undefined) pending.get(reply.id)?.();
  });
  const call = (method: string) =>
    within(new Promise<void>((resolve) => {
      const n = ++id;
      pending.set(n, () => {
        pending.delete(n);
        resolve();
      });
      ws.send(JSON.stringify({ id: n, method }));
    }), 30_000, `the inspector's answer to ${method}`);
  await call('HeapProfiler.enable');
  return async () => {
    await call('HeapProfiler.collectGarbage');
  };
}

function metricSum(body: string, name: string): number {
  let sum = 0;
  for (const line of body.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  return sum;
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const warmupRuns = opts.warmupRuns ?? 3;
  const rotateEvery = opts.rotateEvery ?? 3;
  const password = `soak-${Math.random().toString(36).slice(2)}`;
  let lab: Lab | undefined;
  const peers: Running[] = [];
  let agent: AgentProcess | undefined;
  try {
    lab = await startLab({ users: { soak: password }, extraHosts: NAMES, dnsOnLabAddress: true });
    const pair = lab.ca.issue('soak', NAMES);
    const [silent, stall, alert, reset, resetAccept, trickle, garbage, hostile, garbageProxy, endless] = await Promise.all([
      startSilent(lab.address), startTlsStall(lab.address), startTlsAlert(lab.address), startResetOnData(lab.address), startResetting(lab.address),
      startTrickle(pair, lab.address), startGarbageTls(pair, lab.address), startFakeProxy('hostile-error'), startFakeProxy('garbage'), startFakeProxy('endless-headers'),
    ]);
    peers.push(silent!, stall!, alert!, reset!, resetAccept!, trickle!, garbage!, hostile!, garbageProxy!, endless!);
    peers.push(await startNxdomainDns(lab.address, 53));
    const passwordFile = join(lab.dir, 'password');
    writeFileSync(passwordFile, password);
    const faults: Record<string, string> = {
      'f-silent': `http://silent.soak.test:${silent!.port}/`,
      'f-stall': `https://stall.soak.test:${stall!.port}/`,
      'f-alert': `https://alert.soak.test:${alert!.port}/`,
      'f-reset': `https://reset.soak.test:${reset!.port}/`,
      'f-reset-accept': `https://reset.soak.test:${resetAccept!.port}/`,
      'f-trickle': `https://trickle.soak.test:${trickle!.port}/`,
      'f-garbage': `https://garbage.soak.test:${garbage!.port}/`,
      'f-nowhere': 'https://nowhere.soak.test/',
    };
    // Fault sets that rotate: the same endpoint ids and route name each time (so counters stay monotonic), each
    // reload pointing them at other misbehaving peers.
    const sets: Array<{ faults: string[]; proxy: Running }> = [
      { faults: ['f-silent', 'f-stall', 'f-alert', 'f-reset', 'f-nowhere'], proxy: hostile! },
      { faults: ['f-reset-accept', 'f-garbage', 'f-trickle', 'f-alert', 'f-nowhere'], proxy: garbageProxy! },
      { faults: ['f-stall', 'f-trickle', 'f-silent', 'f-reset', 'f-garbage'], proxy: endless! },
    ];
    const file = join(lab.dir, 'soak.yaml');
    const writeConfig = (set: (typeof sets)[number]) =>
      writeFileSync(
        file,
        stringify({
          listen: '127.0.0.1:0',
          tls: lab!.tls,
          resolve: { ...lab!.hosts, ...Object.fromEntries(NAMES.map((n) => [n, lab!.address])) },
          dns: { servers: [`${lab!.address}:53`] },
          probes: { schedule: `*/${opts.everySeconds ?? 2} * * * * *`, timeoutSeconds: opts.timeoutSeconds ?? 1, concurrency: 32 },
          idle: { enabled: false },
          log: { level: 'info' },
          catalogue: { add: set.faults.map((id, slot) => ({ id: `fault-${slot + 1}`, url: faults[id]! })) },
          routes: [
            { name: 'squid', proxy: `http://127.0.0.1:${lab!.squid.authPort}`, credentials: { username: 'soak', passwordFile } },
            { name: 'direct' },
            { name: 'bad-proxy', proxy: `http://127.0.0.1:${set.proxy.port}` },
            ...(opts.openRoute ? [{ name: 'squid-open', proxy: `http://127.0.0.1:${lab!.squid.port}` }, { name: 'squid-2', proxy: `http://127.0.0.1:${lab!.squid.authPort}`, credentials: { username: 'soak', passwordFile } }] : []),
          ],
        }),
      );
    writeConfig(sets[0]!);
    const snapDir = opts.snapshots ? mkdtempSync(join(tmpdir(), 'ecm-soak-snap-')) : undefined;
    const nodeOptions = ['--inspect=127.0.0.1:0', ...(snapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapDir}`] : [])].join(' ');
    agent = startAgent(['--config', file], { NODE_OPTIONS: nodeOptions });
    const snapshotsTaken: string[] = [];
    const takeSnapshot = async () => {
      agent!.child.kill('SIGUSR2');
      let found = '';
      await waitFor(() => {
        found = readdirSync(snapDir!).find((f) => f.endsWith('.heapsnapshot') && !snapshotsTaken.includes(f)) ?? '';
        return found !== '' && readFileSync(join(snapDir!, found), 'utf8').trimEnd().endsWith('}');
      }, 60_000, 'a heap snapshot', 250);
      snapshotsTaken.push(found);
      log(`heap snapshot ${join(snapDir!, found)}`);
    };
    const collectGarbage = await connectInspector(agent);
    const base = `http://127.0.0.1:${await listenPort(agent)}`;
    const pid = agent.child.pid!;
    const started = performance.now();
    // Run ends are read from the metrics (runs_total), not from the logs.
    const scrape = async () => (await httpGet(`${base}/metrics`, { headers: { connection: 'close' } })).body;
    let lastRuns = 0;
    const samples: Sample[] = [];
    let rotations = 0;
    let setIndex = 0;
    const deadline = started + opts.maxSeconds * 1000;
    for (;;) {
      // Wait for the next run to end, then sample at once, before the next one starts (runs are 2 s apart, ~1.1 s long).
      let body = '';
      await waitFor(async () => {
        body = await scrape();
        return metricSum(body, 'entra_connect_runs_total') > lastRuns;
      }, 60_000, 'the next probe run to end', 25); // under load the runner paces probe starts: a run can take seconds
      const { fds, sockets } = fdCounts(pid);
      await collectGarbage();
      body = await scrape();
      const sample: Sample = {
        run: metricSum(body, 'entra_connect_runs_total'),
        probes: metricSum(body, 'entra_connect_probes_total'),
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
        fds,
        sockets,
        rssBytes: rss(pid),
        heapUsedBytes: metricSum(body, 'nodejs_heap_size_used_bytes'),
      };
      lastRuns = sample.run;
      samples.push(sample);
      if (agent.child.exitCode !== null) throw new Error(`the agent exited: ${agent.stderr()}`);
      if (sample.run % 10 === 0) log(`run ${sample.run}: ${sample.probes} probes, ${fds} fds, ${sockets} sockets, RSS ${(sample.rssBytes / 1048576).toFixed(1)} MiB, heap ${(sample.heapUsedBytes / 1048576).toFixed(1)} MiB`);
      const done = sample.probes >= opts.probes || performance.now() > deadline;
      // The first snapshot early in the warm-up: writing one costs the agent tens of MiB of native memory, which the
      // allocator gives back only slowly, so the baseline is taken well after it (SOAK_FAST warms up 150 runs).
      if (snapDir && ((snapshotsTaken.length === 0 && sample.run >= 2) || done)) {
        const before = rss(pid);
        await takeSnapshot();
        if (snapshotsTaken.length === 1) log(`RSS ${(before / 1048576).toFixed(1)} MiB before the first snapshot, ${(rss(pid) / 1048576).toFixed(1)} MiB after it`);
      }
      if (done) break;
      if (sample.run % rotateEvery === 0) {
        setIndex = (setIndex + 1) % sets.length;
        writeConfig(sets[setIndex]!);
        agent.child.kill('SIGHUP');
        rotations++;
      }
    }
    // A heap snapshot blocks the agent for a second or more, which node-cron reports as missed ticks.
    const snapshotNoise = (l: string) => snapDir !== undefined && /\[NODE-CRON\].*missed execution/.test(l);
    const stderr = agent.stderr().split('\n').filter((l) => l && !/^Debugger (listening|attached)|^For help, see: https:\/\/nodejs\.org/.test(l) && !snapshotNoise(l));
    if (stderr.length > 0) throw new Error(`the agent wrote to stderr: ${stderr.join(' | ')}`);
    const leaked = agent.stdout().includes(password) || agent.stdout().includes(Buffer.from(`soak:${password}`).toString('base64'));
    if (leaked) throw new Error('the proxy password appeared in the agent output');
    let snapshotDiff: SoakReport['snapshotDiff'];
    if (snapDir && snapshotsTaken.length >= 2) {
      const a = summariseSnapshot(join(snapDir, snapshotsTaken[0]!), Number.POSITIVE_INFINITY);
      const b = summariseSnapshot(join(snapDir, snapshotsTaken[snapshotsTaken.length - 1]!), Number.POSITIVE_INFINITY);
      snapshotDiff = { startBytes: a.totalBytes, endBytes: b.totalBytes, rows: diffSnapshots(a, b, 20) };
    }
    const start = samples[0]!;
    const baseline = samples[Math.min(warmupRuns, samples.length - 1)]!;
    const end = samples[samples.length - 1]!;
    const after = samples.slice(samples.indexOf(baseline));
    const window = Math.max(1, Math.min(10, Math.floor(after.length / 3)));
    const first = after.slice(0, window);
    const last = after.slice(-window);
    const floorGrowth = (pick: (s: Sample) => number) => {
      const span = last[last.length - 1]!.probes - first[0]!.probes;
      return Math.round(((Math.min(...last.map(pick)) - Math.min(...first.map(pick))) / Math.max(1, span)) * 10_000);
    };
    const per = (d: number) => Number(((d / Math.max(1, end.probes - baseline.probes)) * 1000).toFixed(3));
    return {
      probes: end.probes,
      seconds: end.seconds,
      runs: end.run,
      rotations,
      start,
      baseline,
      end,
      maxFdsOverBaseline: Math.max(...after.map((s) => s.fds - baseline.fds)),
      maxSocketsOverBaseline: Math.max(...after.map((s) => s.sockets - baseline.sockets)),
      perThousandProbes: { fds: per(end.fds - baseline.fds), sockets: per(end.sockets - baseline.sockets), rssBytes: per(end.rssBytes - baseline.rssBytes), heapUsedBytes: per(end.heapUsedBytes - baseline.heapUsedBytes) },
      rssGrowthPer10kProbesBytes: Math.round(((end.rssBytes - baseline.rssBytes) / Math.max(1, end.probes - baseline.probes)) * 10_000),
      rssFloorGrowthPer10kProbesBytes: floorGrowth((s) => s.rssBytes),
      heapFloorGrowthPer10kProbesBytes: floorGrowth((s) => s.heapUsedBytes),
      window,
      samples,
      snapshotDiff,
    };
  } finally {
    await agent?.stop();
    for (const p of peers) await p.close();
    await lab?.stop();
  }
}

export function formatReport(r: SoakReport): string {
  const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
  const row = (name: string, s: Sample) => `| ${name} | ${s.run} | ${s.probes} | ${s.seconds} | ${s.fds} | ${s.sockets} | ${mib(s.rssBytes)} | ${mib(s.heapUsedBytes)} |`;
  return [
    `${r.probes} probes in ${r.runs} runs over ${r.seconds} s, ${r.rotations} fault rotations (reloads)`,
    '',
    '| sample | run | probes | s | fds | sockets | RSS | heap used |',
    '|---|---|---|---|---|---|---|---|',
    row('start (after run 1)', r.start),
    row('baseline (after warm-up)', r.baseline),
    row('end', r.end),
    '',
    `between runs after warm-up: at most ${r.maxFdsOverBaseline} fds and ${r.maxSocketsOverBaseline} sockets over the baseline`,
    `growth per 1,000 probes after warm-up: ${r.perThousandProbes.fds} fds, ${r.perThousandProbes.sockets} sockets, ${(r.perThousandProbes.rssBytes / 1024).toFixed(1)} KiB RSS, ${(r.perThousandProbes.heapUsedBytes / 1024).toFixed(1)} KiB heap`,
    `RSS end minus baseline, per 10,000 probes: ${(r.rssGrowthPer10kProbesBytes / 1048576).toFixed(2)} MiB`,
    `RSS floor growth per 10,000 probes (lowest of the last ${r.window} samples minus lowest of the first ${r.window} after warm-up): ${(r.rssFloorGrowthPer10kProbesBytes / 1048576).toFixed(2)} MiB (target: under 0.5 MiB); heap floor: ${(r.heapFloorGrowthPer10kProbesBytes / 1048576).toFixed(2)} MiB`,
    '',
    `RSS and heap (after a full GC) by probe count: ${milestones(r.samples).map((s) => `${s.probes}: ${mib(s.rssBytes)} / ${mib(s.heapUsedBytes)}`).join(', ')}`,
    ...(r.snapshotDiff ? ['', snapshotText(r.snapshotDiff)] : []),
  ].join('\n');
}

/** About ten samples spread over the run (first, every tenth of the probes, last). */
function milestones(samples: Sample[]): Sample[] {
  if (samples.length === 0) return [];
  const last = samples[samples.length - 1]!;
  const out: Sample[] = [samples[0]!];
  for (let i = 1; i <= 10; i++) {
    const s = samples.find((x) => x.probes >= (last.probes * i) / 10);
    if (s && s !== out[out.length - 1]) out.push(s);
  }
  return out;
}

function snapshotText(d: NonNullable<SoakReport['snapshotDiff']>): string {
  const kib = (b: number) => (b / 1024).toFixed(1);
  return [
    `heap snapshots: ${kib(d.startBytes)} KiB at the start, ${kib(d.endBytes)} KiB at the end (${kib(d.endBytes - d.startBytes)} KiB); the largest changes by constructor:`,
    '',
    '| what | KiB start | KiB end | KiB change | count start | count end |',
    '|---|---|---|---|---|---|',
    ...d.rows.map((r) => `| ${r.what.replace(/\|/g, '\\|')} | ${kib(r.startBytes)} | ${kib(r.endBytes)} | ${kib(r.endBytes - r.startBytes)} | ${r.startCount} | ${r.endCount} |`),
  ].join('\n');
}
