// `npm run bench:scale [-- --endpoints N] [-- --cycles N] [-- --node-args "FLAGS"]`: only the bench's scale part (1,000 endpoints x 2 routes
// by default), for working on peak memory without the whole bench: each cycle's wall time, failures, series and
// heap, and the daemon's peak RSS over the cycles.
import { parseArgs } from 'node:util';
import { FULL, scale } from './harness.js';
import { stopAfter } from './lib.js';
import { startSetup } from './setup.js';

const { values } = parseArgs({ options: { endpoints: { type: 'string' }, cycles: { type: 'string' }, 'node-args': { type: 'string', default: '' } }, strict: true });
const p = { ...FULL, scaleEndpoints: Number(values.endpoints ?? FULL.scaleEndpoints), scaleCycles: Number(values.cycles ?? FULL.scaleCycles) };
const MiB = 1024 * 1024;
const say = (line: string) => process.stderr.write(`${line}\n`);
stopAfter(5, 'bench:scale');
const setup = await startSetup(p.scaleEndpoints);
try {
  const { cycles, peakRss } = await scale(setup, p, say, {}, values['node-args'].split(' ').filter(Boolean));
  for (const [i, c] of cycles.entries()) {
    say(`cycle ${i + 1}: ${c.probes} probes in ${c.cycleSeconds.toFixed(2)} s, ${c.failed} failed, ${c.disturbed} marked timingDisturbed, ${c.series} series, heap ${(c.heapBytes / MiB).toFixed(1)} MiB, CPU ${c.cpuSeconds.toFixed(2)} s`);
  }
  say(`peak RSS ${(peakRss / MiB).toFixed(1)} MiB`);
} finally {
  await setup.stop();
}
process.exit(0);
