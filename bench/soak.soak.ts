// `npm run bench:soak`: the full soak. SOAK_PROBES (default 6000) and SOAK_MAX_SECONDS (default 600) bound it.
import { expect, it } from 'vitest';
import { formatReport, runSoak } from './soak.js';

it('soak: descriptors and sockets back to the baseline between runs, RSS growth under 5 MB per 10,000 probes', async () => {
  const report = await runSoak({ probes: Number(process.env.SOAK_PROBES ?? 6000), maxSeconds: Number(process.env.SOAK_MAX_SECONDS ?? 600), warmupRuns: 10 });
  console.log(`\n${formatReport(report)}\n`);
  expect(report.probes).toBeGreaterThanOrEqual(Math.min(5000, Number(process.env.SOAK_PROBES ?? 6000)));
  expect(report.end.fds - report.baseline.fds).toBeLessThanOrEqual(0);
  expect(report.end.sockets - report.baseline.sockets).toBeLessThanOrEqual(0);
  expect(report.maxFdsOverBaseline).toBeLessThanOrEqual(2);
  expect(report.rssFloorGrowthPer10kProbesBytes).toBeLessThan(5_000_000);
}, 700_000);
