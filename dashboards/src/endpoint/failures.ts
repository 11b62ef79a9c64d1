// Up/down and the failure reason over time, failures by reason, and the ratio the intermittent alert reads.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { stateTimeline, target, timeseries, upDownMappings } from '../grafana/panels.js';
import { detailSel } from '../selectors.js';
import { THRESHOLDS, duration, percent } from '../thresholds.js';

const { intermittent } = THRESHOLDS;

export function failures(d: Layout): void {
  const window = duration(intermittent.windowSeconds);
  d.row('Failures');
  d.line(
    6,
    [
      stateTimeline('Up / down per route', 'Result of every probe per route.', [
        target('A', `max by (route) (${M.success}{${detailSel}})`, '{{route}}'),
      ], { mappings: upDownMappings, steps: [[null, 'red'], [1, 'green']] }),
      12,
    ],
    [
      stateTimeline('Failure reason per route', 'The failure reason of the last probe per route, over time.', [
        target('A', `max by (route, reason) (${M.failureReason}{${detailSel}} == 1)`, '{{route}} {{reason}}'),
      ], { steps: [[null, 'red']] }),
      12,
    ],
  );
  d.line(
    8,
    [
      timeseries('Failures by reason', 'Failed probes per interval by route and reason.', [
        target('A', `sum by (route, reason) (increase(${M.failures}{${detailSel}}[$__rate_interval]))`, '{{route}} {{reason}}'),
      ], { draw: 'bars', stack: true, fill: 80, min: 0 }),
      12,
    ],
    [
      timeseries('Failure ratio over the last hour', `Share of failed probes over a sliding hour; the line is the intermittent-failure threshold (${percent(intermittent.failureRatio)}).`, [
        target('A', `sum by (route) (increase(${M.failures}{${detailSel}}[${window}])) / sum by (route) (increase(${M.probes}{${detailSel}}[${window}]))`, '{{route}}'),
      ], { unit: 'percentunit', min: 0, max: 1, steps: [[null, 'transparent'], [intermittent.failureRatio, 'red']], thresholdLine: true }),
      12,
    ],
  );
}
