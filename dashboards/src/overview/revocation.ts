// Certificate revocation as Windows checks it: the CRL and OCSP URLs the served chains name, per catalogue row,
// revocation route and type, and the revocation hosts the chains name that the catalogue lacks.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { merge, okFailMappings, organize, override, stat, table, tablePanel, target, timeseries } from '../grafana/panels.js';
import { inst, instRoute } from '../selectors.js';

export function revocation(d: Layout): void {
  d.row('Certificate revocation (served chains)');
  d.line(
    6,
    [
      tablePanel(
        'Revocation URLs of the served chains',
        'The CRL distribution points and OCSP responders named by the certificates Microsoft\'s endpoints served, fetched as Windows fetches them (a GET of the CRL, an OCSP request) over each route\'s revocation route (WinHTTP\'s proxy unless the route says revocation: self), by the catalogue row covering their host. Run `entra-connect-monitor check` for the URLs themselves.',
        [
          table('A', `max by (endpoint, route, type) (${M.revocationSuccess}{${instRoute}})`),
          table('B', `max by (endpoint, route, type) (${M.revocationUrls}{${instRoute}})`),
          table('C', `max by (endpoint, route, type) (${M.revocationDuration}{${instRoute}})`),
        ],
        {
          transformations: [merge, organize(['endpoint', 'route', 'type', 'Value #A', 'Value #B', 'Value #C'], { 'Value #A': 'answered', 'Value #B': 'URLs', 'Value #C': 'slowest' })],
          overrides: [
            override('Value #A', { mappings: okFailMappings('yes', 'no'), 'custom.cellOptions': { type: 'color-text' } }),
            override('Value #C', { unit: 's' }),
          ],
        },
      ),
      14,
    ],
    [
      stat(
        'Revocation hosts not in the catalogue',
        'CRL or OCSP hosts the served chains name that no catalogue row covers: the proxy must allow them too. `entra-connect-monitor check` gives each as a finding with the catalogue entry to add.',
        [target('A', `max(${M.revocationUncovered}{${inst}})`)],
        { steps: [[null, 'green'], [1, 'orange']] },
      ),
      4,
    ],
    [
      timeseries('Revocation fetch duration', 'The slowest fetch per catalogue row, route and type in each revocation run.', [target('A', `max by (endpoint, route, type) (${M.revocationDuration}{${instRoute}})`, '{{endpoint}} {{type}} via {{route}}')], { unit: 's' }),
      6,
    ],
  );
}
