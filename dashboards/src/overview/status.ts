// Status per endpoint and route, and the current failures with the article's remedies.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { instant, organize, override, stat, table, tablePanel, upDownMappings } from '../grafana/panels.js';
import { cellDetailLink, inCategory, inst, instRoute, remedyMappings, rowDetailLink } from '../selectors.js';

export function status(d: Layout): void {
  d.row('Status');
  d.line(9, [
    {
      ...stat(
        'Status per endpoint and route',
        'One cell per endpoint and route: green "up" when the last probe succeeded, red "down" with the failure reason in brackets. Click a cell for the endpoint detail.',
        [
          instant(
            'A',
            `max by (endpoint, route) ((${M.success}{${instRoute}} == 1) ${inCategory})\n` +
              `or\n` +
              `label_replace(0 * max by (endpoint, route, reason) ((${M.failureReason}{${instRoute}} == 1) ${inCategory}), "why", " ($1)", "reason", "(.+)")\n` +
              `or\n` +
              `(max by (endpoint, route) ((${M.success}{${instRoute}} == 0) ${inCategory}) unless on (endpoint, route) ${M.failureReason}{${instRoute}} == 1)`,
            '{{endpoint}} · {{route}}{{why}}',
          ),
        ],
        { mappings: upDownMappings, steps: [[null, 'red'], [1, 'green']], links: [cellDetailLink], textMode: 'value_and_name' },
      ),
      maxDataPoints: 100,
    },
    24,
  ]);
  d.line(9, [
    tablePanel(
      'Current failures and remedies',
      "Every endpoint and route whose last probe failed, with the failure reason and the remedy from Microsoft's article \"Troubleshoot Microsoft Entra Connect connectivity issues\".",
      [
        table(
          'A',
          `label_replace(\n  max by (endpoint, route, reason) (${M.failureReason}{${instRoute}} == 1)\n  * on (endpoint) group_left (category, url, pattern, required)\n    max by (endpoint, category, url, pattern, required) (${M.endpointInfo}{${inst}, category=~"$category"}),\n  "remedy", "$1", "reason", "(.*)"\n)`,
        ),
      ],
      {
        transformations: [organize(['endpoint', 'route', 'reason', 'remedy', 'required', 'category', 'pattern', 'url'], {}, ['Time', 'Value'])],
        overrides: [
          override('remedy', { mappings: remedyMappings, 'custom.width': 700, 'custom.cellOptions': { type: 'auto', wrapText: true } }),
          override('reason', { 'custom.cellOptions': { type: 'color-text' }, color: { mode: 'fixed', fixedColor: 'red' }, 'custom.width': 160 }),
          override('endpoint', { links: [rowDetailLink], 'custom.width': 180 }),
        ],
      },
    ),
    24,
  ]);
}
