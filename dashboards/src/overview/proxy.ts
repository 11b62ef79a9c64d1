// What the proxy answers (403, 407 and their schemes) and whether it keeps idle tunnels long enough.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { merge, okFailMappings, organize, override, table, tablePanel, target, thresholds, timeseries, valueMappings } from '../grafana/panels.js';
import { inCategory, inst, instRoute, rowDetailLink } from '../selectors.js';
import { THRESHOLDS } from '../thresholds.js';

export function proxy(d: Layout): void {
  d.row('Proxy');
  d.line(
    8,
    [
      timeseries(
        'Proxy 403 / 407 answers',
        "Endpoints whose last probe got 403 (the proxy hasn't been opened for the URL) or 407 (the proxy wants a sign-in), over time.",
        [
          target('A', `count((${M.proxyStatus}{${instRoute}} == 403) ${inCategory}) or vector(0)`, '403 Forbidden'),
          target('B', `count((${M.proxyStatus}{${instRoute}} == 407) ${inCategory}) or vector(0)`, '407 Proxy Authentication Required'),
        ],
        { min: 0, fill: 20 },
      ),
      8,
    ],
    [
      tablePanel(
        'Proxy answers now',
        "The proxy's status code to the last CONNECT (or absolute-form GET) per endpoint and route, with the authentication schemes a 407 offered.",
        [table('A', `max by (endpoint, route) ((${M.proxyStatus}{${instRoute}}) ${inCategory})`)],
        {
          transformations: [organize(['endpoint', 'route', 'Value'], { Value: 'proxy status' })],
          overrides: [
            // Redirects and other 3xx answers are odd for CONNECT; 403 and above are refusals.
            override('Value', { 'custom.cellOptions': { type: 'color-background' }, thresholds: thresholds([null, 'green'], [300, 'orange'], [403, 'red']) }),
            override('endpoint', { links: [rowDetailLink] }),
          ],
        },
      ),
      8,
    ],
    [
      tablePanel(
        'Authentication schemes offered (407)',
        'Schemes the proxy offered in Proxy-Authenticate when it answered 407. machine.config must let the sync service authenticate with one of them (useDefaultCredentials for NTLM/Negotiate).',
        [table('A', `max by (route, endpoint, scheme) ((${M.authScheme}{${instRoute}} == 1) ${inCategory})`)],
        { transformations: [organize(['route', 'scheme', 'endpoint'], {}, ['Time', 'Value'])] },
      ),
      8,
    ],
  );
  d.line(
    8,
    [
      timeseries(
        'Proxy idle timeout against the requirement',
        `When the proxy closed an idle tunnel (${M.idleClose}) against the requirement (${M.idleRequired}, ${THRESHOLDS.idleRequiredSeconds} s: Microsoft Entra ID can take up to 5 minutes to answer an export).`,
        [
          target('A', `max by (route) (${M.idleClose}{${instRoute}})`, '{{route}} closed after'),
          target('B', `max(${M.idleRequired}{${inst}})`, 'required'),
        ],
        {
          unit: 's',
          min: 0,
          draw: 'points',
          overrides: [override('required', { 'custom.drawStyle': 'line', 'custom.lineStyle': { fill: 'dash', dash: [10, 10] }, color: { mode: 'fixed', fixedColor: 'red' } })],
        },
      ),
      12,
    ],
    [
      tablePanel(
        'Proxy idle verdict per route',
        'Last idle-tunnel probe per route: whether a tunnel held idle survived, when the proxy closed it, whether it dropped it silently, and the run results over the last day.',
        [
          table('A', `max by (route) (${M.idleClose}{${instRoute}})`),
          table('B', `max by (route) (${M.idleSilentDrop}{${instRoute}})`),
          table('C', `time() - max by (route) (${M.idleLast}{${instRoute}})`),
          table('D', `sum by (route) (increase(${M.idleRuns}{${instRoute}, result="pass"}[1d]))`),
          table('E', `sum by (route) (increase(${M.idleRuns}{${instRoute}, result=~"fail|error"}[1d]))`),
          table('F', `min by (route) (${M.idleSurvived}{${instRoute}})`),
        ],
        {
          transformations: [
            merge,
            organize(['route', 'Value #F', 'Value #A', 'Value #B', 'Value #C', 'Value #D', 'Value #E'], {
              'Value #A': 'closed after',
              'Value #B': 'silent drop',
              'Value #C': 'last run',
              'Value #D': 'passed (1d)',
              'Value #E': 'failed (1d)',
              'Value #F': 'survived hold',
            }),
          ],
          overrides: [
            override('Value #A', { unit: 's', 'custom.cellOptions': { type: 'color-text' }, thresholds: thresholds([null, 'red'], [THRESHOLDS.idleRequiredSeconds, 'green']) }),
            override('Value #B', { mappings: valueMappings(['0', 'no'], ['1', 'yes']), 'custom.cellOptions': { type: 'color-text' } }),
            override('Value #C', { unit: 's' }),
            override('Value #F', { mappings: okFailMappings('yes', 'no'), 'custom.cellOptions': { type: 'color-text' } }),
          ],
        },
      ),
      12,
    ],
  );
}
