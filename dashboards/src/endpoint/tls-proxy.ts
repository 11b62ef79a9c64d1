// TLS facts (version, certificate expiry), the schemes a 407 offered, and probes with disturbed timings.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { merge, organize, override, stateTimeline, table, tablePanel, target, thresholds, valueMappings } from '../grafana/panels.js';
import { detailSel } from '../selectors.js';
import { THRESHOLDS } from '../thresholds.js';

export function tlsAndProxy(d: Layout): void {
  d.row('TLS and proxy');
  d.line(
    6,
    [
      tablePanel('TLS', 'TLS version negotiated and when the earliest certificate of the chain expires, per route. An unexpected issuer or a short-lived certificate points at a TLS-inspecting proxy.', [
        table('A', `max by (route, version) (${M.tlsVersion}{${detailSel}} == 1)`),
        table('B', `max by (route) (${M.certExpiry}{${detailSel}}) * 1000`),
        table('C', `max by (route) (${M.certExpiry}{${detailSel}}) - time()`),
      ], {
        transformations: [merge, organize(['route', 'version', 'Value #B', 'Value #C'], { 'Value #B': 'certificate expires', 'Value #C': 'expires in' }, ['Time', 'Value #A'])],
        overrides: [
          override('Value #B', { unit: 'dateTimeAsIso' }),
          override('Value #C', {
            unit: 'dtdurations',
            'custom.cellOptions': { type: 'color-text' },
            thresholds: thresholds([null, 'red'], [THRESHOLDS.certExpiryRedSeconds, 'orange'], [THRESHOLDS.certExpiryOrangeSeconds, 'green']),
          }),
        ],
      }),
      12,
    ],
    [
      tablePanel('Proxy authentication schemes (407)', 'Schemes the proxy offered when it answered 407 for this endpoint.', [
        table('A', `max by (route, scheme) (${M.authScheme}{${detailSel}} == 1)`),
      ], { transformations: [organize(['route', 'scheme'], {}, ['Time', 'Value'])] }),
      6,
    ],
    [
      stateTimeline('Timing disturbed', 'Probes whose timings were inflated by event-loop lag on the agent.', [
        target('A', `max by (route) (${M.disturbed}{${detailSel}})`, '{{route}}'),
      ], { mappings: valueMappings(['0', 'clean'], ['1', 'disturbed'], ['green', 'orange']) }),
      6,
    ],
  );
}
