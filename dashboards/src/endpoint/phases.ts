// Phases per route, probe duration against the latency histogram, and the status codes.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { target, timeseries } from '../grafana/panels.js';
import { detailSel } from '../selectors.js';

const quantile = (q: number) => `histogram_quantile(${q}, sum by (route, le) (rate(${M.latency}_bucket{${detailSel}}[$__rate_interval])))`;

export function phases(d: Layout): void {
  d.row('Phases and latency');
  d.line(8, [
    {
      ...timeseries(
        'Phases over $route',
        'Duration of each phase of the last probe over this route, stacked: dns, connect (TCP to proxy or target), proxy_connect (CONNECT until its answer), proxy_auth (proxy authentication round trips, up to the request that went through), tls, request (until the first response byte), transfer.',
        [target('A', `max by (phase) (${M.phase}{${detailSel}})`, '{{phase}}')],
        { unit: 's', stack: true, fill: 60, min: 0 },
      ),
      repeat: 'route',
      repeatDirection: 'h',
      maxPerRow: 2,
    },
    12,
  ]);
  d.line(
    8,
    [
      timeseries('Probe duration and latency quantiles', 'Duration of the last probe, and the median and 95th percentile from the latency histogram.', [
        target('A', `max by (route) (${M.duration}{${detailSel}})`, '{{route}} last'),
        target('B', quantile(0.5), '{{route}} p50'),
        target('C', quantile(0.95), '{{route}} p95'),
        target('D', `sum by (route) (rate(${M.latency}_sum{${detailSel}}[$__rate_interval])) / sum by (route) (rate(${M.latency}_count{${detailSel}}[$__rate_interval]))`, '{{route}} mean'),
      ], { unit: 's', min: 0, fill: 0 }),
      12,
    ],
    [
      timeseries('Status codes', "The endpoint's HTTP status and the proxy's answer to CONNECT, per route.", [
        target('A', `max by (route) (${M.httpStatus}{${detailSel}})`, '{{route}} HTTP'),
        target('B', `max by (route) (${M.proxyStatus}{${detailSel}})`, '{{route}} proxy'),
      ], { draw: 'points', fill: 0 }),
      12,
    ],
  );
}
