// The endpoint's catalogue entry, its status per route and the current failure with the article's remedy.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { instant, organize, override, stat, table, tablePanel, upDownMappings } from '../grafana/panels.js';
import { detailSel, inst, remedyMappings } from '../selectors.js';

export function header(d: Layout): void {
  d.line(
    4,
    [
      tablePanel('Endpoint', "The catalogue entry: the URL probed, the pattern the proxy must allow, port, category, cloud and whether it's required.", [
        table('A', `max by (endpoint, url, pattern, port, category, cloud, required) (${M.endpointInfo}{${inst}, endpoint="$endpoint"})`),
      ], { transformations: [organize(['endpoint', 'url', 'pattern', 'port', 'category', 'cloud', 'required'], {}, ['Time', 'Value'])] }),
      14,
    ],
    [
      stat('Status per route', 'Last probe per route; the reason in brackets when it failed.', [
        instant(
          'A',
          `max by (route) (${M.success}{${detailSel}} == 1)\nor\nlabel_replace(0 * max by (route, reason) (${M.failureReason}{${detailSel}} == 1), "why", " ($1)", "reason", "(.+)")\nor\n(max by (route) (${M.success}{${detailSel}} == 0) unless on (route) ${M.failureReason}{${detailSel}} == 1)`,
          '{{route}}{{why}}',
        ),
      ], { mappings: upDownMappings, steps: [[null, 'red'], [1, 'green']], textMode: 'value_and_name' }),
      10,
    ],
  );
  d.line(5, [
    tablePanel('Current failure and remedy', "The reason of the last probe's failure per route, with the article's remedy.", [
      table('A', `label_replace(max by (route, reason) (${M.failureReason}{${detailSel}} == 1), "remedy", "$1", "reason", "(.*)")`),
    ], {
      transformations: [organize(['route', 'reason', 'remedy'], {}, ['Time', 'Value'])],
      overrides: [override('remedy', { mappings: remedyMappings, 'custom.cellOptions': { type: 'auto', wrapText: true } })],
    }),
    24,
  ]);
}
