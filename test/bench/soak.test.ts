// The soak in --quick form (a few hundred probes), so bench/soak.ts cannot rot. The full one: npm run bench:soak.
import { expect, it } from 'vitest';
import { formatReport, runSoak } from '../../bench/soak.js';

it('quick soak: the daemon runs hundreds of probes under rotating faults with descriptors and sockets back to the baseline', async () => {
  const report = await runSoak({ probes: 300, maxSeconds: 40, warmupRuns: 1, rotateEvery: 2, log: () => undefined });
  console.log(`\n${formatReport(report)}\n`);
  expect(report.probes).toBeGreaterThanOrEqual(300);
  expect(report.rotations).toBeGreaterThanOrEqual(1);
  expect(report.maxFdsOverBaseline).toBeLessThanOrEqual(2);
  expect(report.end.fds).toBeLessThanOrEqual(report.baseline.fds + 2);
  expect(report.end.sockets).toBeLessThanOrEqual(report.baseline.sockets + 2);
}, 90_000);
