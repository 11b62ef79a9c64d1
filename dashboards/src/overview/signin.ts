// What the routes read from machine.config, and the sign-in (user realm) discovery per domain.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { merge, okFailMappings, organize, override, table, tablePanel, target, thresholds, timeseries } from '../grafana/panels.js';
import { instRoute } from '../selectors.js';

export function machineConfigAndSignIn(d: Layout): void {
  d.row('machine.config and sign-in discovery');
  d.line(
    6,
    [
      tablePanel(
        'machine.config proxy settings',
        'What the agent read from machine.config (<system.net><defaultProxy>) per route, and the number of problems it found. Run `entra-connect-monitor check` for the findings and their remedies.',
        [table('A', `${M.machineConfigInfo}{${instRoute}}\n* on (route) group_left ()\n  max by (route) (${M.machineConfigProblems}{${instRoute}})`)],
        {
          transformations: [organize(['route', 'path', 'proxy_address', 'use_default_credentials', 'bypass_on_local', 'Value'], { Value: 'problems' }, ['Time', '__name__', 'job', 'instance'])],
          overrides: [override('Value', { 'custom.cellOptions': { type: 'color-background' }, thresholds: thresholds([null, 'green'], [1, 'red']) })],
        },
      ),
      14,
    ],
    [
      tablePanel(
        'Sign-in discovery',
        'Whether the sign-in (user realm) discovery for each configured domain succeeded and found the tenant, and what the login service said: namespace type (Managed, Federated, Unknown) and cloud instance.',
        [
          table('A', `max by (route, domain) (${M.signInSuccess}{${instRoute}})`),
          table('B', `max by (route, domain) (${M.tenantFound}{${instRoute}})`),
          table('C', `max by (route, domain, namespace_type, cloud_instance) (${M.signInRealm}{${instRoute}})`),
        ],
        {
          transformations: [
            merge,
            organize(['route', 'domain', 'Value #A', 'Value #B', 'namespace_type', 'cloud_instance'], { 'Value #A': 'discovery', 'Value #B': 'tenant found', namespace_type: 'namespace type', cloud_instance: 'cloud instance' }, ['Time', 'Value #C']),
          ],
          overrides: [
            override('Value #A', { mappings: okFailMappings('ok', 'failed'), 'custom.cellOptions': { type: 'color-text' } }),
            override('Value #B', { mappings: okFailMappings('yes', 'no'), 'custom.cellOptions': { type: 'color-text' } }),
          ],
        },
      ),
      10,
    ],
  );
  d.line(
    7,
    [
      timeseries(
        'Sign-in discovery step durations',
        'Time of each step of the last sign-in discovery per route and domain: realm (user realm), tenant (OpenID configuration), federation (the identity provider in AuthURL), other_cloud (asked after an Unknown).',
        [target('A', `max by (route, domain, step) (${M.signInStep}{${instRoute}})`, '{{route}} {{domain}} {{step}}')],
        { unit: 's', min: 0 },
      ),
      14,
    ],
    [
      tablePanel(
        'Sign-in findings',
        'The current findings of sign-in discovery (realm_discovery_failed, unknown_user_type, tenant_not_found, wrong_cloud, microsoft_account, federation_unreachable, unexpected_response). Run `entra-connect-monitor check --tenant DOMAIN` for the message and the remedy.',
        [table('A', `max by (route, domain, code) (${M.signInFinding}{${instRoute}}) == 1`)],
        { transformations: [organize(['route', 'domain', 'code'], {}, ['Time', 'Value'])] },
      ),
      10,
    ],
  );
}
