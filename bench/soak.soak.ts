// `npm run bench:soak`: the full soak. SOAK_PROBES (default 6000) and SOAK_MAX_SECONDS (default 600) bound it.
// SOAK_FAST=1: a 0.5 s probe timeout and two more routes (125 probes a run every 2 s), with heap
// snapshots early in the warm-up and at the end (for the 100,000-probe soak; SOAK_SNAPSHOTS=0 leaves them out).
import { expect, it } from 'vitest';
import { formatReport, runSoak } from './soak.js';

it('soak: descriptors and sockets back to the baseline between runs, RSS growth under 5 MB per 10,000 probes', async () => {
  const fast = process.env.SOAK_FAST === '1';
  const report = await runSoak({
    probes: Number(process.env.SOAK_PROBES ?? 6000),
    maxSeconds: Number(process.env.SOAK_MAX_SECONDS ?? 600),
    warmupRuns: fast ? 150 : 10,
    // A heap snapshot leaves the agent's allocator holding tens of MiB it freed, which later allocations reuse: RSS
    // growth after one says little. SOAK_SNAPSHOTS=0 runs the same soak without them, for the RSS figure.
    ...(fast ? { everySeconds: 2, timeoutSeconds: 0.5, openRoute: true, snapshots: process.env.SOAK_SNAPSHOTS !== '0' } : {}),
  });
  console.log(`\n${formatReport(report)}\n`);
  expect(report.probes).toBeGreaterThanOrEqual(Math.min(5000, Number(process.env.SOAK_PROBES ?? 6000)));
  expect(report.end.fds - report.baseline.fds).toBeLessThanOrEqual(0);
  expect(report.end.sockets - report.baseline.sockets).toBeLessThanOrEqual(0);
  // A between-runs sample needs a gap between runs; in the fast form on a loaded machine a run can take longer than
  // its 2 s slot, so a sample may land inside the next run: there only the end-against-baseline checks hold.
  if (!fast) expect(report.maxFdsOverBaseline).toBeLessThanOrEqual(2);
  expect(report.rssFloorGrowthPer10kProbesBytes).toBeLessThan(fast ? 0.5 * 1048576 : 5_000_000);
}, (Number(process.env.SOAK_MAX_SECONDS ?? 600) + 300) * 1000);
