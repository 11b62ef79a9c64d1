// Latency per phase and its distribution, and the failure ratio that makes a failure intermittent.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { heatmap, target, timeseries } from '../grafana/panels.js';
import { cellDetailLink, inCategory, instRoute } from '../selectors.js';
import { THRESHOLDS, duration, percent } from '../thresholds.js';

const { intermittent } = THRESHOLDS;

export function latency(d: Layout): void {
  d.row('Latency and intermittent failures');
  d.line(
    9,
    [
      timeseries(
        'Latency per phase (average over endpoints)',
        'Average time of each phase of the last probe (dns, connect, proxy_connect, proxy_auth, tls, request, transfer), stacked: the stack height is the average probe duration.',
        [target('A', `avg by (phase) ((${M.phase}{${instRoute}}) ${inCategory})`, '{{phase}}')],
        { unit: 's', stack: true, fill: 60, min: 0 },
      ),
      12,
    ],
    [
      heatmap(
        'Probe latency distribution',
        `Probes per latency bucket from the ${M.latency} histogram.`,
        [target('A', `sum by (le) (increase(${M.latency}_bucket{${instRoute}}[$__rate_interval]) ${inCategory})`, '{{le}}', { format: 'heatmap' })],
        's',
      ),
      12,
    ],
  );
  d.line(
    9,
    [
      timeseries(
        'Failure ratio over the last hour',
        `Share of failed probes per endpoint and route over a sliding hour: the intermittent-failure view. The line is the EntraConnectEndpointIntermittentFailures threshold (${percent(intermittent.failureRatio)}).`,
        [
          target(
            'A',
            `sum by (endpoint, route) (increase(${M.failures}{${instRoute}}[${duration(intermittent.windowSeconds)}]) ${inCategory})\n/\nsum by (endpoint, route) (increase(${M.probes}{${instRoute}}[${duration(intermittent.windowSeconds)}]))`,
            '{{endpoint}} · {{route}}',
          ),
        ],
        { unit: 'percentunit', min: 0, max: 1, steps: [[null, 'transparent'], [intermittent.failureRatio, 'red']], thresholdLine: true, links: [cellDetailLink] },
      ),
      12,
    ],
    [
      timeseries(
        'Failures by reason',
        'Failed probes per interval, by failure reason.',
        [target('A', `sum by (reason) (increase(${M.failures}{${instRoute}}[$__rate_interval]) ${inCategory})`, '{{reason}}')],
        { draw: 'bars', stack: true, fill: 80, min: 0 },
      ),
      12,
    ],
  );
}
