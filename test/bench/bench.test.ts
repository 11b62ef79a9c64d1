// The bench harness in quick mode (a few probes a side), so it cannot rot. Figures are not asserted: they are one
// run's medians and ratios on whatever machine runs the tests; what is asserted is that both sides measured the same
// targets and that the table and the JSON are written without touching other sections of the README.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, type Results } from '../../bench/report.js';
import { runBench } from '../../bench/run.js';

describe('bench beside blackbox_exporter (quick mode)', () => {
  it('measures our daemon and blackbox_exporter on the same targets and writes the table and the figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecm-bench-test-'));
    writeFileSync(join(dir, 'README.md'), '# Benchmarks\n\n## Soak\n\nanother section, kept as it is\n');
    const said: string[] = [];
    const results = await runBench(['--quick', '--out', dir], (line) => said.push(line), () => undefined);

    const figure = (key: string) => results.figures.find((f) => f.key === key);
    for (const d of [0, 20, 100]) {
      const p50 = figure(`accuracy.d${d}.p50`)!;
      expect(Number.isFinite(p50.ours), `ours, ${d} ms`).toBe(true);
      expect(Number.isFinite(p50.blackbox!), `blackbox, ${d} ms`).toBe(true);
    }
    expect(figure('accuracy.failed')).toMatchObject({ ours: 0, blackbox: 0 });
    // The bare Node prober probed the same accuracy rounds: its figure for blackbox_exporter's span sits beside blackbox's.
    expect(figure('accuracy.floor.failed')).toMatchObject({ ours: 0 });
    expect(Number.isFinite(figure('accuracy.floor.d20.p50')!.ours)).toBe(true);
    expect(Number.isFinite(figure('cost.ratio')!.ours)).toBe(true);
    // The bare Node prober ran in the same windows: its CPU per probe is what Node itself costs beside blackbox_exporter.
    expect(figure('cost.floor.cpuPerProbe')!.ours).toBeGreaterThan(0);
    expect(Number.isFinite(figure('cost.overFloor')!.ours)).toBe(true);
    expect(figure('scale.c1.failed')!.ours).toBe(0);
    expect(figure('footprint.idleRss')!.ours).toBeGreaterThan(0);
    expect(said.some((l) => l.startsWith('set-up:'))).toBe(true);

    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('## Soak\n\nanother section, kept as it is');
    expect(readme).toContain('## Beside blackbox_exporter');
    expect(readme).toContain('| CPU per probe, ours ÷ blackbox |');
    const json = JSON.parse(readFileSync(join(dir, 'last-results.json'), 'utf8')) as Results;
    expect(json.figures.map((f) => f.key)).toEqual(results.figures.map((f) => f.key));
    expect(json.machine.node).toBe(process.version);
    expect(compare(json, results)).toContain('| 1.00 |');
  }, 240_000);
});
