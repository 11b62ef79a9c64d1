// The bench beside blackbox_exporter: the same targets, through the same squid, trusting the same CA, in one run,
// our daemon and blackbox_exporter taking turns (A B A B). Every loop is bounded in count and in time.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startDaemon, waitReady, writeConfig, type Daemon, type LogLine } from './agent.js';
import { alignToSecond, cpuSeconds, cpuSplit, splitSince, type CpuSplit, median, percentile, ROOT, rssBytes, samples, sleep, sum, until, connectionsTo } from './lib.js';
import { measureFootprint, type Footprint } from './footprint.js';
import { startFloor, type Prober } from './node-floor.js';
import { summariseProfile } from './profile.js';
import { DELAY_HOST, scaleHost, SQUID_USER, startSetup, type BenchSetup } from './setup.js';

export interface BenchParams {
  /** Copies of each delayed target per round (accuracy and cost rounds run every second, one probe at a time). */
  copies: number;
  delaysMs: number[];
  accuracyWindowsPerSide: number;
  accuracyRoundsPerWindow: number;
  /**
   * Rounds dropped at the start of every accuracy window, on both sides: our daemon starts fresh in each window, so
   * its first seconds hold the cold JIT and V8's memory reducer (full collections 8-9.5 s after start whose pauses,
   * 2-6 ms each, land in whichever probe is running), once per process life; blackbox_exporter runs warm throughout.
   */
  warmupRounds: number;
  costWindowsPerSide: number;
  costWindowSeconds: number;
  /**
   * Seconds every side runs before its cost window opens. A daemon's first seconds are start-up, not its running
   * cost: modules compiled, the first runs interpreted cold, and V8's memory reducer, which runs three full
   * collections about 8 s after start (--trace-gc) and none after them.
   */
  costWarmupSeconds: number;
  scaleEndpoints: number;
  scaleConcurrency: number;
  scaleCycles: number;
  /** Also measure the footprint with the environment the systemd unit gives the daemon (SERVICE_ENV). */
  serviceEnv?: boolean;
}

/**
 * The environment packaging/systemd/entra-connect-monitor.service gives the daemon (test/packaging/systemd.test.ts
 * checks that the unit sets the same). glibc's dynamic mmap threshold lets a thread's malloc arena keep ~10 MiB that
 * some starts touch and others not; a fixed threshold returns large blocks to the system when they are freed.
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

export const FULL: BenchParams = {
  copies: 3,
  delaysMs: [0, 20, 100],
  accuracyWindowsPerSide: 2,
  accuracyRoundsPerWindow: 18,
  warmupRounds: 11,
  costWindowsPerSide: 2,
  costWindowSeconds: 15,
  costWarmupSeconds: 10,
  scaleEndpoints: 1000,
  scaleConcurrency: 50,
  scaleCycles: 2,
  serviceEnv: true,
};

export const QUICK: BenchParams = {
  copies: 1,
  delaysMs: [0, 20, 100],
  accuracyWindowsPerSide: 1,
  accuracyRoundsPerWindow: 3,
  warmupRounds: 1,
  costWindowsPerSide: 1,
  costWindowSeconds: 3,
  costWarmupSeconds: 2,
  scaleEndpoints: 20,
  scaleConcurrency: 5,
  scaleCycles: 1,
};

/** One probe's timings in milliseconds, from either side. */
interface Timed {
  delayMs: number;
  totalMs: number;
  phasesMs: Record<string, number>;
  disturbed?: boolean;
}

export interface Measurements {
  params: BenchParams;
  accuracy: {
    ours: Timed[];
    blackbox: Timed[];
    /** bench/node-floor.ts over the same rounds: what a bare Node program measures for blackbox_exporter's span. */
    floor: Timed[];
    oursFailed: number;
    blackboxFailed: number;
    floorFailed: number;
    phaseSumErrorMaxMs: number;
  };
  cost: {
    ours: { cpuSeconds: number; probes: number };
    blackbox: { cpuSeconds: number; probes: number };
    /** bench/node-floor.ts: the least a Node program spends on the same probe. */
    floor?: { cpuSeconds: number; probes: number };
    /** The floor prober's RSS after its last window: Node with TLS, HTTP and one secure context loaded. */
    floorRssBytes?: number;
  };
  scale: Array<{ cycleSeconds: number; probes: number; failed: number; peakSockets: number; requestMs: number[]; requestMsUndisturbed: number[]; disturbed: number; heapBytes: number; series: number; cpuSeconds: number }>;
  scalePeakRssBytes: number;
  scaleBlackbox: { seconds: number; probes: number; failed: number; cpuSeconds: number; processingMs: number[] };
  /** The footprint with SERVICE_ENV, as packaging/systemd/entra-connect-monitor.service starts the daemon. */
  service?: { footprint: Measurements['footprint'] };
  footprint: { readyMs: number; idleRssBytes: number; idleRssEachBytes?: number[]; idleAnonBytes: number; idleFileBytes: number; idlePssBytes?: number; idleHeapBytes: number; idleHeapTotalBytes?: number; probes: number; failed: number };
  profile?: Array<{ what: string; selfMs: number; share: number }>;
}

type Say = (line: string) => void;

function chinaIds(): string[] {
  const doc = parseYaml(readFileSync(join(ROOT, 'config', 'endpoints', 'china.yaml'), 'utf8')) as { endpoints: Array<{ id: string }> };
  return doc.endpoints.map((e) => e.id);
}

const delayUrl = (ms: number) => `https://${DELAY_HOST}/?delayMs=${ms}`;

/** The round every side probes each second: copies × delays, interleaved (d0, d20, d100, d0, ...). */
function roundTargets(p: BenchParams): Array<{ id: string; delayMs: number; url: string }> {
  const out = [];
  for (let c = 1; c <= p.copies; c++) for (const d of p.delaysMs) out.push({ id: `d${d}-${c}`, delayMs: d, url: delayUrl(d) });
  return out;
}

export function delayConfig(setup: BenchSetup, p: BenchParams, level: string): Record<string, unknown> {
  return {
    cloud: 'china',
    listen: '127.0.0.1:0',
    tls: { caFile: setup.ca.certFile, expectedRootsFile: setup.ca.certFile },
    routes: [{ name: 'bench', proxy: `http://127.0.0.1:${setup.squid.port}` }],
    catalogue: { exclude: chinaIds(), add: roundTargets(p).map((t) => ({ id: t.id, url: t.url, category: 'custom' })) },
    probes: { schedule: '* * * * * *', timeoutSeconds: 10, concurrency: 1 },
    idle: { enabled: false },
    log: { level },
  };
}

const runsComplete = (d: Daemon) => d.logs().filter((l) => l.msg === 'probe run complete');

/** A: our daemon runs warm-up + counted rounds (the warm-up ones are dropped); probe timings from its debug log. */
async function accuracyOurs(setup: BenchSetup, p: BenchParams, say: Say): Promise<{ timed: Timed[]; failed: number; sumErrorMaxMs: number }> {
  const config = writeConfig(setup.dir, 'accuracy.yaml', delayConfig(setup, p, 'debug'));
  const daemon = await startDaemon(['--config', config]);
  const rounds = p.accuracyRoundsPerWindow + p.warmupRounds;
  try {
    await until(() => runsComplete(daemon).length >= rounds, rounds * 2000 + 20_000, `${rounds} runs of the agent`, 100);
  } finally {
    await daemon.stop();
  }
  const delayOf = new Map(roundTargets(p).map((t) => [t.id, t.delayMs]));
  const perRun = roundTargets(p).length;
  const probeLines = daemon.logs().filter((l) => l.msg === 'probe succeeded' || l.msg === 'probe failed');
  const kept = probeLines.slice(p.warmupRounds * perRun, rounds * perRun);
  let sumErrorMaxMs = 0;
  const timed: Timed[] = [];
  for (const l of kept.filter((x) => x.msg === 'probe succeeded') as Array<LogLine & { endpoint: string; phases: Record<string, number>; durationSeconds: number; timingDisturbed?: boolean }>) {
    const phasesMs = Object.fromEntries(Object.entries(l.phases).map(([k, v]) => [k, v * 1000]));
    const totalMs = l.durationSeconds * 1000;
    sumErrorMaxMs = Math.max(sumErrorMaxMs, Math.abs(Object.values(phasesMs).reduce((a, b) => a + b, 0) - totalMs));
    timed.push({ delayMs: delayOf.get(l.endpoint) ?? -1, totalMs, phasesMs, disturbed: l.timingDisturbed === true });
  }
  say(`  ours: ${timed.length} probes kept, ${kept.length - timed.length} failed`);
  return { timed, failed: kept.length - timed.length, sumErrorMaxMs };
}

/**
 * Drives blackbox_exporter the way Prometheus would, at our daemon's rate: at every whole second, the round's targets
 * one at a time. A round that overruns its second makes the next one wait for the following second (like cron).
 */
async function driveProber(prober: Prober, p: BenchParams, rounds: number, onProbe: (t: Timed | undefined) => void): Promise<void> {
  const targets = roundTargets(p);
  for (let r = 0; r < rounds; r++) {
    await alignToSecond(0);
    for (const t of targets) {
      try {
        const res = await prober.probe(t.url);
        onProbe(res.success ? { delayMs: t.delayMs, totalMs: res.durationSeconds * 1000, phasesMs: Object.fromEntries(Object.entries(res.phases).map(([k, v]) => [k, v * 1000])) } : undefined);
      } catch {
        onProbe(undefined);
      }
    }
  }
}

/** B and C: a prober driven like Prometheus drives blackbox_exporter, its first rounds dropped like ours. */
async function accuracyProber(prober: Prober, name: string, p: BenchParams, say: Say): Promise<{ timed: Timed[]; failed: number }> {
  const all: Array<Timed | undefined> = [];
  await driveProber(prober, p, p.accuracyRoundsPerWindow + p.warmupRounds, (t) => all.push(t));
  const kept = all.slice(p.warmupRounds * roundTargets(p).length);
  const timed = kept.filter((t): t is Timed => t !== undefined);
  say(`  ${name}: ${timed.length} probes kept, ${kept.length - timed.length} failed`);
  return { timed, failed: kept.length - timed.length };
}

/** CPU of our daemon (default log level) over a fixed window of whole rounds, probes from entra_connect_probes_total. */
export interface Cost {
  cpuSeconds: number;
  probes: number;
  /** The window's CPU by thread and mode: where to look next. */
  split: CpuSplit;
}

export async function costOurs(setup: BenchSetup, p: BenchParams, profileDir: string | undefined, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Cost> {
  const config = writeConfig(setup.dir, 'cost.yaml', delayConfig(setup, p, 'info'));
  const daemon = await startDaemon(['--config', config], env, [...nodeArgs, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])]);
  try {
    await waitReady(daemon);
    await sleep(p.costWarmupSeconds * 1000);
    await alignToSecond(850); // rounds start on whole seconds: the window holds whole rounds
    const p0 = sum(samples(await daemon.metrics(), 'entra_connect_probes_total'));
    const c0 = cpuSeconds(daemon.pid);
    const s0 = cpuSplit(daemon.pid);
    const t0 = performance.now();
    await sleep(p.costWindowSeconds * 1000 - (performance.now() - t0));
    const c1 = cpuSeconds(daemon.pid);
    const s1 = cpuSplit(daemon.pid);
    const p1 = sum(samples(await daemon.metrics(), 'entra_connect_probes_total'));
    return { cpuSeconds: c1 - c0, probes: p1 - p0, split: splitSince(s0, s1) };
  } finally {
    await daemon.stop();
  }
}

/** CPU of a prober driven like blackbox_exporter (blackbox_exporter itself, or the bare Node floor) over the same window. */
export async function costProber(prober: Prober, p: BenchParams): Promise<Cost> {
  let done = 0;
  let window: { c0: number; s0: CpuSplit; d0: number; c1?: number; s1?: CpuSplit; d1?: number } | undefined;
  const measure = (async () => {
    await sleep(p.costWarmupSeconds * 1000);
    await alignToSecond(850);
    window = { c0: cpuSeconds(prober.pid), s0: cpuSplit(prober.pid), d0: done };
    await sleep(p.costWindowSeconds * 1000);
    window.c1 = cpuSeconds(prober.pid);
    window.s1 = cpuSplit(prober.pid);
    window.d1 = done;
  })();
  await driveProber(prober, p, p.costWarmupSeconds + p.costWindowSeconds + 3, () => done++);
  await measure;
  return { cpuSeconds: window!.c1! - window!.c0, probes: window!.d1! - window!.d0, split: splitSince(window!.s0, window!.s1!) };
}

/** 1,000 endpoints × 2 routes (squid's open port, and its authenticating port with credentials), concurrency 50. */
export async function scale(setup: BenchSetup, p: BenchParams, say: Say, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<{ cycles: Measurements['scale']; peakRss: number }> {
  const add = [];
  for (let i = 1; i <= p.scaleEndpoints; i++) add.push({ id: `e${String(i).padStart(4, '0')}`, url: `https://${scaleHost(i)}/?delayMs=20`, category: 'custom' });
  const config = writeConfig(setup.dir, 'scale.yaml', {
    cloud: 'china',
    listen: '127.0.0.1:0',
    tls: { caFile: setup.ca.certFile, expectedRootsFile: setup.ca.certFile },
    routes: [
      { name: 'proxy-a', proxy: `http://127.0.0.1:${setup.squid.port}` },
      { name: 'proxy-b', proxy: `http://127.0.0.1:${setup.squid.authPort}`, credentials: { username: SQUID_USER, passwordFile: setup.passwordFile } },
    ],
    catalogue: { exclude: chinaIds(), add },
    probes: { schedule: '*/20 * * * * *', timeoutSeconds: 10, concurrency: p.scaleConcurrency },
    idle: { enabled: false },
    log: { level: 'info' },
  });
  const daemon = await startDaemon(['--config', config], env, nodeArgs);
  let peakSockets = 0;
  let peakRss = 0;
  let sampling = true;
  const sampler = (async () => {
    const deadline = Date.now() + p.scaleCycles * 25_000 + 60_000;
    for (let i = 0; sampling && i < 10_000 && Date.now() < deadline; i++) {
      try {
        peakSockets = Math.max(peakSockets, connectionsTo(daemon.pid, [setup.squid.port, setup.squid.authPort]));
        peakRss = Math.max(peakRss, rssBytes(daemon.pid));
      } catch {
        break; // the process is gone
      }
      await sleep(20);
    }
  })();
  const cycles: Measurements['scale'] = [];
  let cpuBefore = cpuSeconds(daemon.pid); // cycle 1 includes start-up; from cycle 2 on, CPU between two scrapes
  try {
    for (let c = 1; c <= p.scaleCycles; c++) {
      await until(() => runsComplete(daemon).length >= c, 60_000, `scale cycle ${c}`, 10);
      const line = runsComplete(daemon)[c - 1] as LogLine & { durationSeconds: number; probes: number; failed: number; timingDisturbed?: number };
      const peak = peakSockets;
      const cpu = cpuSeconds(daemon.pid);
      const text = await daemon.metrics();
      const key = (l: Record<string, string>) => `${l.endpoint}/${l.route}`;
      const disturbedTargets = new Set(samples(text, 'entra_connect_probe_timing_disturbed').filter((s) => s.value === 1).map((s) => key(s.labels)));
      const request = samples(text, 'entra_connect_probe_phase_duration_seconds').filter((s) => s.labels.phase === 'request');
      const requestMs = request.map((s) => s.value * 1000);
      const requestMsUndisturbed = request.filter((s) => !disturbedTargets.has(key(s.labels))).map((s) => s.value * 1000);
      cycles.push({
        cycleSeconds: line.durationSeconds,
        probes: line.probes,
        failed: line.failed,
        peakSockets: peak,
        requestMs,
        requestMsUndisturbed,
        series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
        cpuSeconds: cpu - cpuBefore,
        disturbed: line.timingDisturbed ?? sum(samples(text, 'entra_connect_probe_timing_disturbed')),
        heapBytes: sum(samples(text, 'nodejs_heap_size_used_bytes')),
      });
      say(`  cycle ${c}: ${line.probes} probes in ${line.durationSeconds.toFixed(2)} s, ${line.failed} failed, peak probe sockets ${peak}`);
      peakSockets = 0;
      cpuBefore = cpuSeconds(daemon.pid);
    }
  } finally {
    sampling = false;
    await sampler;
    await daemon.stop();
  }
  return { cycles, peakRss };
}

/** blackbox_exporter on the same 1,000 names, each twice (2,000 probes), 50 at a time, as a Prometheus with many targets would. */
async function scaleBlackbox(setup: BenchSetup, p: BenchParams): Promise<Measurements['scaleBlackbox']> {
  const urls: string[] = [];
  for (let r = 0; r < 2; r++) for (let i = 1; i <= p.scaleEndpoints; i++) urls.push(`https://${scaleHost(i)}/?delayMs=20`);
  let next = 0;
  let failed = 0;
  const processingMs: number[] = [];
  const c0 = cpuSeconds(setup.blackbox.pid);
  const t0 = performance.now();
  const deadline = Date.now() + 120_000;
  const worker = async () => {
    while (next < urls.length && Date.now() < deadline) {
      const url = urls[next++]!;
      try {
        const res = await setup.blackbox.probe(url);
        if (res.success && res.phases.processing !== undefined) processingMs.push(res.phases.processing * 1000);
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: p.scaleConcurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, probes: next, failed, cpuSeconds: cpuSeconds(setup.blackbox.pid) - c0, processingMs };
}

/** The default configuration (China catalogue, proxy from HTTPS_PROXY, CA from NODE_EXTRA_CA_CERTS): the median of 3 starts. */
async function footprint(setup: BenchSetup, env: NodeJS.ProcessEnv = {}): Promise<Measurements['footprint']> {
  const runs: Footprint[] = [];
  for (let i = 0; i < 3; i++) runs.push(await measureFootprint(setup, { env }));
  const med = (pick: (f: Footprint) => number) => median(runs.map(pick));
  return {
    readyMs: med((f) => f.readyMs),
    idleRssBytes: med((f) => f.rss),
    idleRssEachBytes: runs.map((f) => f.rss),
    idleAnonBytes: med((f) => f.anon),
    idleFileBytes: med((f) => f.file),
    idlePssBytes: med((f) => f.rollup.Pss ?? 0),
    idleHeapBytes: med((f) => f.heapUsed),
    idleHeapTotalBytes: med((f) => f.heapTotal),
    probes: runs[0]!.probes,
    failed: runs[0]!.failed,
  };
}

export async function measure(p: BenchParams, say: Say, profileDir?: string): Promise<Measurements> {
  const setup = await startSetup(p.scaleEndpoints);
  say(`set-up: squid on 127.0.0.1:${setup.squid.port}/${setup.squid.authPort}, TLS server on ${setup.address}:443, blackbox_exporter on 127.0.0.1:${setup.blackbox.port}`);
  try {
    say('footprint: default configuration');
    const fp = await footprint(setup);
    say(`  ready in ${fp.readyMs.toFixed(0)} ms, ${fp.probes} probes, ${fp.failed} failed`);

    const accuracy: Measurements['accuracy'] = { ours: [], blackbox: [], floor: [], oursFailed: 0, blackboxFailed: 0, floorFailed: 0, phaseSumErrorMaxMs: 0 };
    const floorCost = { cpuSeconds: 0, probes: 0 };
    const cost: Measurements['cost'] = { ours: { cpuSeconds: 0, probes: 0 }, blackbox: { cpuSeconds: 0, probes: 0 }, floor: floorCost };
    const floor = await startFloor(setup.squid.port, setup.ca.certFile);
    try {
      for (let w = 0; w < p.accuracyWindowsPerSide; w++) {
        say(`accuracy window ${w + 1}/${p.accuracyWindowsPerSide}: A (ours), B (blackbox_exporter), C (bare Node floor)`);
        const a = await accuracyOurs(setup, p, say);
        accuracy.ours.push(...a.timed);
        accuracy.oursFailed += a.failed;
        accuracy.phaseSumErrorMaxMs = Math.max(accuracy.phaseSumErrorMaxMs, a.sumErrorMaxMs);
        const b = await accuracyProber(setup.blackbox, 'blackbox', p, say);
        accuracy.blackbox.push(...b.timed);
        accuracy.blackboxFailed += b.failed;
        const c = await accuracyProber(floor, 'floor', p, say);
        accuracy.floor.push(...c.timed);
        accuracy.floorFailed += c.failed;
      }

      for (let w = 0; w < p.costWindowsPerSide; w++) {
        say(`cost window ${w + 1}/${p.costWindowsPerSide}: A (ours), B (blackbox_exporter), C (bare Node floor), ${p.costWindowSeconds} s each`);
        const a = await costOurs(setup, p, undefined);
        const b = await costProber(setup.blackbox, p);
        const c = await costProber(floor, p);
        say(`  ours ${a.cpuSeconds.toFixed(2)} s CPU / ${a.probes} probes; blackbox ${b.cpuSeconds.toFixed(2)} s / ${b.probes}; floor ${c.cpuSeconds.toFixed(2)} s / ${c.probes}`);
        for (const [into, from] of [[cost.ours, a], [cost.blackbox, b], [floorCost, c]] as const) {
          into.cpuSeconds += from.cpuSeconds;
          into.probes += from.probes;
        }
      }
      cost.floorRssBytes = rssBytes(floor.pid);
    } finally {
      await floor.stop();
    }

    let service: Measurements['service'];
    if (p.serviceEnv) {
      say(`footprint with the systemd unit's environment (${Object.entries(SERVICE_ENV).map(([k, v]) => `${k}=${v}`).join(' ')})`);
      service = { footprint: await footprint(setup, SERVICE_ENV) };
    }

    if (profileDir) {
      say('profile: one more window of ours under node --cpu-prof (not counted: the profiler costs CPU too)');
      await costOurs(setup, p, profileDir);
    }

    say(`scale: ${p.scaleEndpoints} endpoints × 2 routes, concurrency ${p.scaleConcurrency}`);
    const sc = await scale(setup, p, say);
    say(`scale: blackbox_exporter, the same names, ${p.scaleEndpoints * 2} probes, ${p.scaleConcurrency} at a time`);
    const scb = await scaleBlackbox(setup, p);
    say(`  ${scb.probes} probes in ${scb.seconds.toFixed(2)} s, ${scb.failed} failed`);

    let profile: Measurements['profile'];
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) profile = summariseProfile(join(profileDir, file));
    }
    const m: Measurements = { params: p, accuracy, cost, scale: sc.cycles, scalePeakRssBytes: sc.peakRss, scaleBlackbox: scb, footprint: fp, service, profile };
    const raw = join(tmpdir(), 'ecm-bench-raw.json');
    writeFileSync(raw, JSON.stringify(m));
    say(`raw measurements: ${raw}`);
    return m;
  } finally {
    await setup.stop();
  }
}

export { median, percentile };
