// `npm run bench:cost [-- --windows N] [-- --seconds S] [-- --node-args="FLAGS"] [-- --profile DIR]`: only the bench's
// CPU part: windows of our daemon (A), blackbox_exporter (B) and the bare Node floor (C) in turn, on the same
// targets through the same squid, for working on CPU per probe without the whole bench. --profile DIR adds one
// uncounted window of ours and one of the floor under node --cpu-prof and prints their self-time tables.
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { costOurs, costProber, FULL, type Cost } from './harness.js';
import { stopAfter, type CpuSplit } from './lib.js';
import { startFloor } from './node-floor.js';
import { summariseProfile } from './profile.js';
import { startSetup } from './setup.js';

const { values } = parseArgs({
  options: { windows: { type: 'string', default: '2' }, seconds: { type: 'string' }, 'node-args': { type: 'string', default: '' }, profile: { type: 'string' } },
  strict: true,
});
const p = { ...FULL, costWindowSeconds: Number(values.seconds ?? FULL.costWindowSeconds) };
const windows = Number(values.windows);
const nodeArgs = values['node-args'].split(' ').filter(Boolean);
const say = (line: string) => process.stderr.write(`${line}\n`);
stopAfter(10, 'bench:cost');

const perProbe = (c: { cpuSeconds: number; probes: number }) => (c.cpuSeconds * 1000) / Math.max(1, c.probes);
const zero = (): Cost => ({ cpuSeconds: 0, probes: 0, split: { mainUser: 0, mainSys: 0, otherUser: 0, otherSys: 0 } });
const total = { ours: zero(), blackbox: zero(), floor: zero() };
/** ms per probe of each part of the CPU: main thread user / system, other threads user / system. */
const parts = (c: Cost) => (['mainUser', 'mainSys', 'otherUser', 'otherSys'] as Array<keyof CpuSplit>).map((k) => ((c.split[k] * 1000) / Math.max(1, c.probes)).toFixed(2)).join(' / ');
const setup = await startSetup(0);
const floor = await startFloor(setup.squid.port, setup.ca.certFile);
try {
  for (let w = 0; w < windows; w++) {
    const a = await costOurs(setup, p, undefined, nodeArgs);
    const b = await costProber(setup.blackbox, p);
    const c = await costProber(floor, p);
    say(`window ${w + 1}/${windows}: ours ${perProbe(a).toFixed(2)} ms/probe (${a.probes}), blackbox ${perProbe(b).toFixed(2)} (${b.probes}), floor ${perProbe(c).toFixed(2)} (${c.probes})`);
    for (const [into, from] of [[total.ours, a], [total.blackbox, b], [total.floor, c]] as const) {
      into.cpuSeconds += from.cpuSeconds;
      into.probes += from.probes;
      for (const k of Object.keys(into.split) as Array<keyof CpuSplit>) into.split[k] += from.split[k];
    }
  }
  say(`ms per probe, main thread user / sys, other threads user / sys: ours ${parts(total.ours)}; blackbox ${parts(total.blackbox)}; floor ${parts(total.floor)}`);
  const [ours, bb, fl] = [perProbe(total.ours), perProbe(total.blackbox), perProbe(total.floor)];
  say(`CPU per probe: ours ${ours.toFixed(2)} ms, blackbox ${bb.toFixed(2)} ms, floor ${fl.toFixed(2)} ms; ours ÷ blackbox ${(ours / bb).toFixed(2)}×, floor ÷ blackbox ${(fl / bb).toFixed(2)}×`);
  if (values.profile) {
    // One more window of each Node side under the profiler (not counted: the profiler costs CPU too), read from the
    // warm-up on: where the agent's CPU goes beside what the floor spends on the same probes.
    const dir = resolve(values.profile);
    const table = (side: string) => {
      const file = readdirSync(join(dir, side)).find((f) => f.endsWith('.cpuprofile'));
      if (!file) return;
      say(`${side}: self time on the main thread, from ${p.costWarmupSeconds} s after start:`);
      for (const row of summariseProfile(join(dir, side, file), 30, p.costWarmupSeconds * 1000)) say(`  ${(row.share * 100).toFixed(1).padStart(5)} %  ${row.selfMs.toFixed(0).padStart(6)} ms  ${row.what}`);
    };
    mkdirSync(join(dir, 'ours'), { recursive: true });
    mkdirSync(join(dir, 'floor'), { recursive: true });
    await costOurs(setup, p, join(dir, 'ours'), nodeArgs);
    const profiled = await startFloor(setup.squid.port, setup.ca.certFile, ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'floor')}`]);
    try {
      await costProber(profiled, p);
    } finally {
      await profiled.stop();
    }
    table('ours');
    table('floor');
  }
} finally {
  await floor.stop();
  await setup.stop();
}
process.exit(0);
