#!/usr/bin/env node
// Generates the Grafana dashboards in dashboards/*.json from this one file, so panels share one datasource,
// one set of selectors and one layout habit (node-mixin builds its dashboards from code the same way).
//
//   npm run build && node scripts/build-dashboards.mjs           # rewrite dashboards/*.json
//   node scripts/build-dashboards.mjs --check                     # exit 1 if the JSON on disk is out of date
//
// The remedy text per failure reason comes from agent/classify.ts (through the compiled dist/), so the tables
// show exactly the article's words the agent uses. test/dashboards/dashboards.test.ts checks the result.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FAILURE_REASONS, REMEDIES } = await import(join(root, 'dist/agent/probes/classify.js'));

const DS = { type: 'prometheus', uid: '${datasource}' };
const OVERVIEW_UID = 'entra-connect-overview';
const DETAIL_UID = 'entra-connect-endpoint';
// The stale threshold of EntraConnectProbesStale in alerts.yaml, used to colour "last run age".
const STALE_SECONDS = 900;
const INTERMITTENT_RATIO = 0.05;

// ---------------------------------------------------------------- selectors
const inst = 'instance="$instance"';
const instRoute = `${inst}, route=~"$route"`;
/** Keeps only endpoints of the selected categories; `and` needs no unique right side. */
const inCategory = `and on (endpoint) entra_connect_endpoint_info{${inst}, category=~"$category"}`;
const detailSel = `${inst}, endpoint="$endpoint", route=~"$route"`;

// ---------------------------------------------------------------- builders
function dashboardBuilder() {
  let nextId = 1;
  const panels = [];
  return {
    panels,
    add(panel, gridPos) {
      panels.push({ id: nextId++, ...panel, gridPos });
    },
    row(title, y) {
      panels.push({ id: nextId++, type: 'row', title, collapsed: false, panels: [], gridPos: { h: 1, w: 24, x: 0, y } });
    },
  };
}

function target(refId, expr, legendFormat = '', extra = {}) {
  return { datasource: DS, refId, expr, legendFormat, range: true, instant: false, editorMode: 'code', ...extra };
}
function instant(refId, expr, legendFormat = '', extra = {}) {
  return target(refId, expr, legendFormat, { range: false, instant: true, ...extra });
}
function table(refId, expr) {
  return instant(refId, expr, '', { format: 'table' });
}

const upDownMappings = [
  { type: 'value', options: { 1: { text: 'up', color: 'green', index: 0 }, 0: { text: 'down', color: 'red', index: 1 } } },
];
const okFailMappings = (ok, fail) => [
  { type: 'value', options: { 1: { text: ok, color: 'green', index: 0 }, 0: { text: fail, color: 'red', index: 1 } } },
];
const thresholds = (...steps) => ({
  mode: 'absolute',
  steps: steps.map(([value, color]) => ({ value, color })),
});
const remedyMappings = [
  {
    type: 'value',
    options: Object.fromEntries(FAILURE_REASONS.map((reason, index) => [reason, { text: REMEDIES[reason], index }])),
  },
];

function stat(title, description, targets, { unit = 'none', mappings = [], steps = [[null, 'green']], links = [], textMode = 'auto', colorMode = 'background', graphMode = 'none', decimals } = {}) {
  return {
    type: 'stat',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { unit, mappings, thresholds: thresholds(...steps), links, color: { mode: 'thresholds' }, ...(decimals === undefined ? {} : { decimals }) },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      orientation: 'auto',
      textMode,
      colorMode,
      graphMode,
      justifyMode: 'auto',
      wideLayout: true,
      showPercentChange: false,
    },
  };
}

function timeseries(title, description, targets, { unit = 'none', stack = false, draw = 'line', fill = 10, min, max, steps = [[null, 'green']], thresholdLine = false, links = [], overrides = [] } = {}) {
  return {
    type: 'timeseries',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: {
        unit,
        links,
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
        color: { mode: 'palette-classic' },
        thresholds: thresholds(...steps),
        custom: {
          drawStyle: draw,
          lineInterpolation: draw === 'line' ? 'stepAfter' : 'linear',
          fillOpacity: fill,
          lineWidth: 1,
          pointSize: 5,
          showPoints: draw === 'points' ? 'always' : 'never',
          spanNulls: false,
          stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
          thresholdsStyle: { mode: thresholdLine ? 'line+area' : 'off' },
          axisPlacement: 'auto',
          gradientMode: 'none',
        },
      },
      overrides,
    },
    options: {
      legend: { displayMode: 'table', placement: 'right', showLegend: true, calcs: ['lastNotNull', 'max'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

function tablePanel(title, description, targets, { overrides = [], transformations = [], defaults = {} } = {}) {
  return {
    type: 'table',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: true }, thresholds: thresholds([null, 'green']), ...defaults },
      overrides,
    },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    transformations,
  };
}

function stateTimeline(title, description, targets, { mappings = [], steps = [[null, 'green']] } = {}) {
  return {
    type: 'state-timeline',
    title,
    description,
    datasource: DS,
    targets,
    fieldConfig: {
      defaults: { mappings, thresholds: thresholds(...steps), color: { mode: 'thresholds' }, custom: { fillOpacity: 80, lineWidth: 0 } },
      overrides: [],
    },
    options: { showValue: 'auto', mergeValues: true, alignValue: 'left', rowHeight: 0.9, legend: { showLegend: false, displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'single', sort: 'none' } },
  };
}

function override(fieldName, properties) {
  return { matcher: { id: 'byName', options: fieldName }, properties: Object.entries(properties).map(([id, value]) => ({ id, value })) };
}

function organize(order, rename = {}, hide = ['Time']) {
  return {
    id: 'organize',
    options: {
      excludeByName: Object.fromEntries(hide.map((n) => [n, true])),
      indexByName: Object.fromEntries(order.map((n, i) => [n, i])),
      renameByName: rename,
    },
  };
}

const detailLink = (endpointRef, routeRef) => ({
  title: `Endpoint detail: ${endpointRef} over ${routeRef}`,
  url: `/d/${DETAIL_UID}/entra-connect-endpoint?var-datasource=\${datasource}&var-instance=\${instance}&var-endpoint=${endpointRef}&var-route=${routeRef}&\${__url_time_range}`,
});

// ---------------------------------------------------------------- variables
const datasourceVar = {
  name: 'datasource',
  label: 'Data source',
  type: 'datasource',
  query: 'prometheus',
  current: {},
  hide: 0,
  refresh: 1,
  regex: '',
  options: [],
  includeAll: false,
  multi: false,
};
function queryVar(name, label, query, { multi = false, includeAll = false, allValue } = {}) {
  return {
    name,
    label,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-variable` },
    definition: query,
    refresh: 2,
    sort: 1,
    hide: 0,
    regex: '',
    current: {},
    options: [],
    multi,
    includeAll,
    ...(allValue === undefined ? {} : { allValue }),
  };
}
const instanceVar = queryVar('instance', 'Agent', 'label_values(entra_connect_build_info, instance)');
const routeVar = queryVar('route', 'Route', `label_values(entra_connect_probe_success{${inst}}, route)`, { multi: true, includeAll: true, allValue: '.*' });
const categoryVar = queryVar('category', 'Category', `label_values(entra_connect_endpoint_info{${inst}}, category)`, { multi: true, includeAll: true, allValue: '.*' });
const endpointVar = queryVar('endpoint', 'Endpoint', `label_values(entra_connect_endpoint_info{${inst}, category=~"$category"}, endpoint)`);

function dashboard({ uid, title, description, panels, variables, links }) {
  return {
    uid,
    title,
    description,
    tags: ['entra-connect'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    refresh: '1m',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    annotations: { list: [] },
    links,
    templating: { list: variables },
    panels,
  };
}

// ---------------------------------------------------------------- overview
function overview() {
  const d = dashboardBuilder();
  let y = 0;
  // Summary line.
  d.add(
    stat('Checks down', 'Endpoint × route pairs whose last probe failed.', [
      instant('A', `count((entra_connect_probe_success{${instRoute}} == 0) ${inCategory}) or vector(0)`),
    ], { steps: [[null, 'green'], [1, 'red']] }),
    { h: 4, w: 4, x: 0, y },
  );
  d.add(
    stat('Required endpoints down', 'Required endpoints (entra_connect_endpoint_info{required="true"}) whose last probe failed on at least one route: the ones that page.', [
      instant('A', `count(max by (endpoint) (entra_connect_probe_success{${instRoute}} == 0) and on (endpoint) entra_connect_endpoint_info{${inst}, category=~"$category", required="true"}) or vector(0)`),
    ], { steps: [[null, 'green'], [1, 'red']] }),
    { h: 4, w: 4, x: 4, y },
  );
  d.add(
    stat('Proxy 403 / 407 now', 'Endpoints whose last probe got 403 Forbidden or 407 Proxy Authentication Required from the proxy.', [
      instant('A', `count((entra_connect_probe_proxy_status_code{${instRoute}} == 403) ${inCategory}) or vector(0)`, '403 Forbidden'),
      instant('B', `count((entra_connect_probe_proxy_status_code{${instRoute}} == 407) ${inCategory}) or vector(0)`, '407 Auth required'),
    ], { steps: [[null, 'green'], [1, 'red']], textMode: 'value_and_name' }),
    { h: 4, w: 4, x: 8, y },
  );
  d.add(
    stat('Routes with idle timeout too short', 'Routes whose proxy closed an idle tunnel before entra_connect_proxy_idle_required_seconds (300 s), or dropped it silently.', [
      instant('A', `(count(max by (route) (entra_connect_proxy_idle_close_seconds{${instRoute}}) < on () group_left () max(entra_connect_proxy_idle_required_seconds{${inst}})) or vector(0)) + (count(entra_connect_proxy_idle_silent_drop{${instRoute}} == 1) or vector(0))`),
    ], { steps: [[null, 'green'], [1, 'red']] }),
    { h: 4, w: 4, x: 12, y },
  );
  d.add(
    stat('machine.config problems', 'Findings in the machine.config proxy settings, summed over routes.', [
      instant('A', `sum(entra_connect_machine_config_problems{${instRoute}}) or vector(0)`),
    ], { steps: [[null, 'green'], [1, 'orange']] }),
    { h: 4, w: 4, x: 16, y },
  );
  d.add(
    stat('Last run', 'Time since the agent last completed a probe run; red from the EntraConnectProbesStale threshold.', [
      instant('A', `time() - max(entra_connect_last_run_timestamp_seconds{${inst}})`),
    ], { unit: 's', steps: [[null, 'green'], [300, 'orange'], [STALE_SECONDS, 'red']] }),
    { h: 4, w: 4, x: 20, y },
  );
  y += 4;

  d.row('Status', y++);
  d.add(
    {
      ...stat(
        'Status per endpoint and route',
        'One cell per endpoint and route: green "up" when the last probe succeeded, red "down" with the failure reason in brackets. Click a cell for the endpoint detail.',
        [
          instant(
            'A',
            `max by (endpoint, route) ((entra_connect_probe_success{${instRoute}} == 1) ${inCategory})\n` +
              `or\n` +
              `label_replace(0 * max by (endpoint, route, reason) ((entra_connect_probe_failure_reason{${instRoute}} == 1) ${inCategory}), "why", " ($1)", "reason", "(.+)")\n` +
              `or\n` +
              `(max by (endpoint, route) ((entra_connect_probe_success{${instRoute}} == 0) ${inCategory}) unless on (endpoint, route) entra_connect_probe_failure_reason{${instRoute}} == 1)`,
            '{{endpoint}} · {{route}}{{why}}',
          ),
        ],
        {
          mappings: upDownMappings,
          steps: [[null, 'red'], [1, 'green']],
          links: [detailLink('${__field.labels.endpoint}', '${__field.labels.route}')],
          textMode: 'value_and_name',
        },
      ),
      maxDataPoints: 100,
    },
    { h: 9, w: 24, x: 0, y },
  );
  y += 9;
  d.add(
    tablePanel(
      'Current failures and remedies',
      "Every endpoint and route whose last probe failed, with the failure reason and the remedy from Microsoft's article \"Troubleshoot Microsoft Entra Connect connectivity issues\".",
      [
        table(
          'A',
          `label_replace(\n  max by (endpoint, route, reason) (entra_connect_probe_failure_reason{${instRoute}} == 1)\n  * on (endpoint) group_left (category, url, pattern, required)\n    max by (endpoint, category, url, pattern, required) (entra_connect_endpoint_info{${inst}, category=~"$category"}),\n  "remedy", "$1", "reason", "(.*)"\n)`,
        ),
      ],
      {
        transformations: [
          organize(['endpoint', 'route', 'reason', 'remedy', 'required', 'category', 'pattern', 'url'], {}, ['Time', 'Value']),
        ],
        overrides: [
          override('remedy', { mappings: remedyMappings, 'custom.width': 700, 'custom.cellOptions': { type: 'auto', wrapText: true } }),
          override('reason', { 'custom.cellOptions': { type: 'color-text' }, color: { mode: 'fixed', fixedColor: 'red' }, 'custom.width': 160 }),
          override('endpoint', { links: [detailLink('${__data.fields.endpoint}', '${__data.fields.route}')], 'custom.width': 180 }),
        ],
      },
    ),
    { h: 9, w: 24, x: 0, y },
  );
  y += 9;

  d.row('Latency and intermittent failures', y++);
  d.add(
    timeseries(
      'Latency per phase (average over endpoints)',
      'Average time of each phase of the last probe (dns, connect, proxy_connect, proxy_auth, tls, request, transfer), stacked: the stack height is the average probe duration.',
      [target('A', `avg by (phase) ((entra_connect_probe_phase_duration_seconds{${instRoute}}) ${inCategory})`, '{{phase}}')],
      { unit: 's', stack: true, fill: 60, min: 0 },
    ),
    { h: 9, w: 12, x: 0, y },
  );
  d.add(
    {
      type: 'heatmap',
      title: 'Probe latency distribution',
      description: 'Probes per latency bucket from the entra_connect_probe_latency_seconds histogram.',
      datasource: DS,
      targets: [target('A', `sum by (le) (increase(entra_connect_probe_latency_seconds_bucket{${instRoute}}[$__rate_interval]) ${inCategory})`, '{{le}}', { format: 'heatmap' })],
      fieldConfig: { defaults: { custom: { scaleDistribution: { type: 'linear' }, hideFrom: { legend: false, tooltip: false, viz: false } } }, overrides: [] },
      options: {
        calculate: false,
        yAxis: { unit: 's', axisPlacement: 'left', reverse: false },
        rowsFrame: { layout: 'auto' },
        color: { mode: 'scheme', scheme: 'Oranges', steps: 64, fill: 'dark-orange', scale: 'exponential', exponent: 0.5, reverse: false },
        cellGap: 1,
        filterValues: { le: 1e-9 },
        tooltip: { show: true, yHistogram: true },
        legend: { show: true },
        exemplars: { color: 'rgba(255,0,255,0.7)' },
      },
    },
    { h: 9, w: 12, x: 12, y },
  );
  y += 9;
  d.add(
    timeseries(
      'Failure ratio over the last hour',
      `Share of failed probes per endpoint and route over a sliding hour: the intermittent-failure view. The line is the EntraConnectEndpointIntermittentFailures threshold (${INTERMITTENT_RATIO * 100} %).`,
      [
        target(
          'A',
          `sum by (endpoint, route) (increase(entra_connect_probe_failures_total{${instRoute}}[1h]) ${inCategory})\n/\nsum by (endpoint, route) (increase(entra_connect_probes_total{${instRoute}}[1h]))`,
          '{{endpoint}} · {{route}}',
        ),
      ],
      { unit: 'percentunit', min: 0, max: 1, steps: [[null, 'transparent'], [INTERMITTENT_RATIO, 'red']], thresholdLine: true, links: [detailLink('${__field.labels.endpoint}', '${__field.labels.route}')] },
    ),
    { h: 9, w: 12, x: 0, y },
  );
  d.add(
    timeseries(
      'Failures by reason',
      'Failed probes per interval, by failure reason.',
      [target('A', `sum by (reason) (increase(entra_connect_probe_failures_total{${instRoute}}[$__rate_interval]) ${inCategory})`, '{{reason}}')],
      { draw: 'bars', stack: true, fill: 80, min: 0 },
    ),
    { h: 9, w: 12, x: 12, y },
  );
  y += 9;

  d.row('Proxy', y++);
  d.add(
    timeseries(
      'Proxy 403 / 407 answers',
      "Endpoints whose last probe got 403 (the proxy hasn't been opened for the URL) or 407 (the proxy wants a sign-in), over time.",
      [
        target('A', `count((entra_connect_probe_proxy_status_code{${instRoute}} == 403) ${inCategory}) or vector(0)`, '403 Forbidden'),
        target('B', `count((entra_connect_probe_proxy_status_code{${instRoute}} == 407) ${inCategory}) or vector(0)`, '407 Proxy Authentication Required'),
      ],
      { min: 0, fill: 20 },
    ),
    { h: 8, w: 8, x: 0, y },
  );
  d.add(
    tablePanel(
      'Proxy answers now',
      "The proxy's status code to the last CONNECT (or absolute-form GET) per endpoint and route, with the authentication schemes a 407 offered.",
      [
        table('A', `max by (endpoint, route) ((entra_connect_probe_proxy_status_code{${instRoute}}) ${inCategory})`),
      ],
      {
        transformations: [organize(['endpoint', 'route', 'Value'], { Value: 'proxy status' })],
        overrides: [
          override('Value', {
            'custom.cellOptions': { type: 'color-background' },
            thresholds: thresholds([null, 'green'], [300, 'orange'], [403, 'red']),
          }),
          override('endpoint', { links: [detailLink('${__data.fields.endpoint}', '${__data.fields.route}')] }),
        ],
      },
    ),
    { h: 8, w: 8, x: 8, y },
  );
  d.add(
    tablePanel(
      'Authentication schemes offered (407)',
      'Schemes the proxy offered in Proxy-Authenticate when it answered 407. machine.config must let the sync service authenticate with one of them (useDefaultCredentials for NTLM/Negotiate).',
      [table('A', `max by (route, endpoint, scheme) ((entra_connect_probe_proxy_auth_scheme_info{${instRoute}} == 1) ${inCategory})`)],
      { transformations: [organize(['route', 'scheme', 'endpoint'], {}, ['Time', 'Value'])] },
    ),
    { h: 8, w: 8, x: 16, y },
  );
  y += 8;
  d.add(
    timeseries(
      'Proxy idle timeout against the requirement',
      'When the proxy closed an idle tunnel (entra_connect_proxy_idle_close_seconds) against the requirement (entra_connect_proxy_idle_required_seconds, 300 s: Microsoft Entra ID can take up to 5 minutes to answer an export).',
      [
        target('A', `max by (route) (entra_connect_proxy_idle_close_seconds{${instRoute}})`, '{{route}} closed after'),
        target('B', `max(entra_connect_proxy_idle_required_seconds{${inst}})`, 'required'),
      ],
      {
        unit: 's',
        min: 0,
        draw: 'points',
        overrides: [
          override('required', { 'custom.drawStyle': 'line', 'custom.lineStyle': { fill: 'dash', dash: [10, 10] }, color: { mode: 'fixed', fixedColor: 'red' } }),
        ],
      },
    ),
    { h: 8, w: 12, x: 0, y },
  );
  d.add(
    tablePanel(
      'Proxy idle verdict per route',
      'Last idle-tunnel probe per route: whether a tunnel held idle survived, when the proxy closed it, whether it dropped it silently, and the run results over the last day.',
      [
        table('A', `max by (route) (entra_connect_proxy_idle_close_seconds{${instRoute}})`),
        table('B', `max by (route) (entra_connect_proxy_idle_silent_drop{${instRoute}})`),
        table('C', `time() - max by (route) (entra_connect_proxy_idle_last_run_timestamp_seconds{${instRoute}})`),
        table('D', `sum by (route) (increase(entra_connect_proxy_idle_runs_total{${instRoute}, result="pass"}[1d]))`),
        table('E', `sum by (route) (increase(entra_connect_proxy_idle_runs_total{${instRoute}, result=~"fail|error"}[1d]))`),
        table('F', `min by (route) (entra_connect_proxy_idle_survived{${instRoute}})`),
      ],
      {
        transformations: [
          { id: 'merge', options: {} },
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
          override('Value #A', { unit: 's', 'custom.cellOptions': { type: 'color-text' }, thresholds: thresholds([null, 'red'], [300, 'green']) }),
          override('Value #B', { mappings: [{ type: 'value', options: { 0: { text: 'no', color: 'green', index: 0 }, 1: { text: 'yes', color: 'red', index: 1 } } }], 'custom.cellOptions': { type: 'color-text' } }),
          override('Value #C', { unit: 's' }),
          override('Value #F', { mappings: okFailMappings('yes', 'no'), 'custom.cellOptions': { type: 'color-text' } }),
        ],
      },
    ),
    { h: 8, w: 12, x: 12, y },
  );
  y += 8;

  d.row('machine.config and sign-in discovery', y++);
  d.add(
    tablePanel(
      'machine.config proxy settings',
      'What the agent read from machine.config (<system.net><defaultProxy>) per route, and the number of problems it found. Run `entra-connect-monitor check` for the findings and their remedies.',
      [
        table(
          'A',
          `entra_connect_machine_config_info{${instRoute}}\n* on (route) group_left ()\n  max by (route) (entra_connect_machine_config_problems{${instRoute}})`,
        ),
      ],
      {
        transformations: [organize(['route', 'path', 'proxy_address', 'use_default_credentials', 'bypass_on_local', 'Value'], { Value: 'problems' }, ['Time', '__name__', 'job', 'instance'])],
        overrides: [override('Value', { 'custom.cellOptions': { type: 'color-background' }, thresholds: thresholds([null, 'green'], [1, 'red']) })],
      },
    ),
    { h: 6, w: 14, x: 0, y },
  );
  d.add(
    tablePanel(
      'Sign-in discovery',
      'Whether the sign-in (user realm) discovery for each configured domain succeeded and found the tenant, and what the login service said: namespace type (Managed, Federated, Unknown) and cloud instance.',
      [
        table('A', `max by (route, domain) (entra_connect_signin_discovery_success{${instRoute}})`),
        table('B', `max by (route, domain) (entra_connect_tenant_found{${instRoute}})`),
        table('C', `max by (route, domain, namespace_type, cloud_instance) (entra_connect_signin_realm_info{${instRoute}})`),
      ],
      {
        transformations: [
          { id: 'merge', options: {} },
          organize(['route', 'domain', 'Value #A', 'Value #B', 'namespace_type', 'cloud_instance'], { 'Value #A': 'discovery', 'Value #B': 'tenant found', namespace_type: 'namespace type', cloud_instance: 'cloud instance' }, ['Time', 'Value #C']),
        ],
        overrides: [
          override('Value #A', { mappings: okFailMappings('ok', 'failed'), 'custom.cellOptions': { type: 'color-text' } }),
          override('Value #B', { mappings: okFailMappings('yes', 'no'), 'custom.cellOptions': { type: 'color-text' } }),
        ],
      },
    ),
    { h: 6, w: 10, x: 14, y },
  );
  y += 6;
  d.add(
    timeseries(
      'Sign-in discovery step durations',
      'Time of each step of the last sign-in discovery per route and domain: realm (user realm), tenant (OpenID configuration), federation (the identity provider in AuthURL), other_cloud (asked after an Unknown).',
      [target('A', `max by (route, domain, step) (entra_connect_signin_step_duration_seconds{${instRoute}})`, '{{route}} {{domain}} {{step}}')],
      { unit: 's', min: 0 },
    ),
    { h: 7, w: 14, x: 0, y },
  );
  d.add(
    tablePanel(
      'Sign-in findings',
      'The current findings of sign-in discovery (realm_discovery_failed, unknown_user_type, tenant_not_found, wrong_cloud, microsoft_account, federation_unreachable, unexpected_response). Run `entra-connect-monitor check --tenant DOMAIN` for the message and the remedy.',
      [table('A', `max by (route, domain, code) (entra_connect_signin_finding{${instRoute}}) == 1`)],
      { transformations: [organize(['route', 'domain', 'code'], {}, ['Time', 'Value'])] },
    ),
    { h: 7, w: 10, x: 14, y },
  );
  y += 7;

  d.row('Agent health', y++);
  d.add(
    stat('Agent', 'Version of the agent and of Node.js (entra_connect_build_info), and whether Prometheus scrapes it (up).', [
      instant('A', `max by (version, node_version) (entra_connect_build_info{${inst}})`, 'v{{version}} · node {{node_version}}'),
      instant('B', `max(up{${inst}})`, 'scrape'),
    ], { textMode: 'value_and_name', mappings: okFailMappings('up', 'down'), steps: [[null, 'red'], [1, 'green']] }),
    { h: 4, w: 6, x: 0, y },
  );
  d.add(
    stat('Skipped runs (1h)', 'Scheduled runs skipped because the previous run still ran (entra_connect_runs_skipped_total).', [
      instant('A', `sum(increase(entra_connect_runs_skipped_total{${inst}}[1h])) or vector(0)`),
    ], { steps: [[null, 'green'], [1, 'orange']], decimals: 0 }),
    { h: 4, w: 4, x: 6, y },
  );
  d.add(
    stat('Config reload', 'Result of the last configuration reload (SIGHUP or POST /-/reload), and when the configuration last loaded successfully.', [
      instant('A', `max(entra_connect_config_last_reload_successful{${inst}})`, 'last reload'),
      instant('B', `time() - max(entra_connect_config_last_reload_success_timestamp_seconds{${inst}})`, 'loaded ago'),
    ], { textMode: 'value_and_name', mappings: okFailMappings('ok', 'failed'), steps: [[null, 'red'], [1, 'green']] }),
    { h: 4, w: 5, x: 10, y },
  );
  d.add(
    stat('Last run duration', 'How long the last complete probe run took (entra_connect_run_duration_seconds).', [
      instant('A', `max(entra_connect_run_duration_seconds{${inst}})`),
    ], { unit: 's', colorMode: 'none' }),
    { h: 4, w: 4, x: 15, y },
  );
  d.add(
    stat('Timing-disturbed probes', 'Probes whose timings were inflated by event-loop lag on the agent (entra_connect_probe_timing_disturbed); their latencies are not trustworthy.', [
      instant('A', `count(entra_connect_probe_timing_disturbed{${instRoute}} == 1) or vector(0)`),
    ], { steps: [[null, 'green'], [1, 'orange']] }),
    { h: 4, w: 5, x: 19, y },
  );
  y += 4;
  d.add(
    timeseries('Runs', 'Completed and skipped probe runs per interval.', [
      target('A', `sum(increase(entra_connect_runs_total{${inst}, result="complete"}[$__rate_interval]))`, 'complete'),
      target('B', `sum(increase(entra_connect_runs_skipped_total{${inst}}[$__rate_interval]))`, 'skipped'),
      target('C', `time() - max(entra_connect_last_run_timestamp_seconds{${inst}})`, 'seconds since last run'),
    ], { draw: 'bars', min: 0, overrides: [override('seconds since last run', { unit: 's', 'custom.drawStyle': 'line', 'custom.axisPlacement': 'right' })] }),
    { h: 8, w: 12, x: 0, y },
  );
  d.add(
    timeseries('Agent process', 'Resident memory, CPU and event-loop lag of the agent (prom-client default metrics).', [
      target('A', `process_resident_memory_bytes{${inst}}`, 'resident memory'),
      target('B', `rate(process_cpu_seconds_total{${inst}}[$__rate_interval])`, 'CPU (cores)'),
      target('C', `nodejs_eventloop_lag_seconds{${inst}}`, 'event-loop lag'),
    ], {
      unit: 'bytes',
      overrides: [
        override('CPU (cores)', { unit: 'none', 'custom.axisPlacement': 'right' }),
        override('event-loop lag', { unit: 's', 'custom.axisPlacement': 'right' }),
      ],
    }),
    { h: 8, w: 12, x: 12, y },
  );

  return dashboard({
    uid: OVERVIEW_UID,
    title: 'Entra Connect connectivity overview',
    description: 'Reachability of the Microsoft Entra Connect endpoints from this server, per route, with the remedies from "Troubleshoot Microsoft Entra Connect connectivity issues".',
    panels: d.panels,
    variables: [datasourceVar, instanceVar, routeVar, categoryVar],
    links: [
      { title: 'Endpoint detail', type: 'link', url: `/d/${DETAIL_UID}/entra-connect-endpoint`, icon: 'dashboard', keepTime: true, includeVars: true, asDropdown: false, targetBlank: false, tags: [], tooltip: '' },
    ],
  });
}

// ---------------------------------------------------------------- endpoint detail
function detail() {
  const d = dashboardBuilder();
  let y = 0;
  d.add(
    tablePanel('Endpoint', "The catalogue entry: the URL probed, the pattern the proxy must allow, port, category, cloud and whether it's required.", [
      table('A', `max by (endpoint, url, pattern, port, category, cloud, required) (entra_connect_endpoint_info{${inst}, endpoint="$endpoint"})`),
    ], { transformations: [organize(['endpoint', 'url', 'pattern', 'port', 'category', 'cloud', 'required'], {}, ['Time', 'Value'])] }),
    { h: 4, w: 14, x: 0, y },
  );
  d.add(
    stat('Status per route', 'Last probe per route; the reason in brackets when it failed.', [
      instant(
        'A',
        `max by (route) (entra_connect_probe_success{${detailSel}} == 1)\nor\nlabel_replace(0 * max by (route, reason) (entra_connect_probe_failure_reason{${detailSel}} == 1), "why", " ($1)", "reason", "(.+)")\nor\n(max by (route) (entra_connect_probe_success{${detailSel}} == 0) unless on (route) entra_connect_probe_failure_reason{${detailSel}} == 1)`,
        '{{route}}{{why}}',
      ),
    ], { mappings: upDownMappings, steps: [[null, 'red'], [1, 'green']], textMode: 'value_and_name' }),
    { h: 4, w: 10, x: 14, y },
  );
  y += 4;
  d.add(
    tablePanel('Current failure and remedy', "The reason of the last probe's failure per route, with the article's remedy.", [
      table('A', `label_replace(max by (route, reason) (entra_connect_probe_failure_reason{${detailSel}} == 1), "remedy", "$1", "reason", "(.*)")`),
    ], {
      transformations: [organize(['route', 'reason', 'remedy'], {}, ['Time', 'Value'])],
      overrides: [override('remedy', { mappings: remedyMappings, 'custom.cellOptions': { type: 'auto', wrapText: true } })],
    }),
    { h: 5, w: 24, x: 0, y },
  );
  y += 5;

  d.row('Phases and latency', y++);
  d.add(
    {
      ...timeseries(
        'Phases over $route',
        'Duration of each phase of the last probe over this route, stacked: dns, connect (TCP to proxy or target), proxy_connect (CONNECT until its answer), proxy_auth (proxy authentication round trips, up to the request that went through), tls, request (until the first response byte), transfer.',
        [target('A', `max by (phase) (entra_connect_probe_phase_duration_seconds{${detailSel}})`, '{{phase}}')],
        { unit: 's', stack: true, fill: 60, min: 0 },
      ),
      repeat: 'route',
      repeatDirection: 'h',
      maxPerRow: 2,
    },
    { h: 8, w: 12, x: 0, y },
  );
  y += 8;
  d.add(
    timeseries('Probe duration and latency quantiles', 'Duration of the last probe, and the median and 95th percentile from the latency histogram.', [
      target('A', `max by (route) (entra_connect_probe_duration_seconds{${detailSel}})`, '{{route}} last'),
      target('B', `histogram_quantile(0.5, sum by (route, le) (rate(entra_connect_probe_latency_seconds_bucket{${detailSel}}[$__rate_interval])))`, '{{route}} p50'),
      target('C', `histogram_quantile(0.95, sum by (route, le) (rate(entra_connect_probe_latency_seconds_bucket{${detailSel}}[$__rate_interval])))`, '{{route}} p95'),
      target('D', `sum by (route) (rate(entra_connect_probe_latency_seconds_sum{${detailSel}}[$__rate_interval])) / sum by (route) (rate(entra_connect_probe_latency_seconds_count{${detailSel}}[$__rate_interval]))`, '{{route}} mean'),
    ], { unit: 's', min: 0, fill: 0 }),
    { h: 8, w: 12, x: 0, y },
  );
  d.add(
    timeseries('Status codes', "The endpoint's HTTP status and the proxy's answer to CONNECT, per route.", [
      target('A', `max by (route) (entra_connect_probe_http_status_code{${detailSel}})`, '{{route}} HTTP'),
      target('B', `max by (route) (entra_connect_probe_proxy_status_code{${detailSel}})`, '{{route}} proxy'),
    ], { draw: 'points', fill: 0 }),
    { h: 8, w: 12, x: 12, y },
  );
  y += 8;

  d.row('Failures', y++);
  d.add(
    stateTimeline('Up / down per route', 'Result of every probe per route.', [
      target('A', `max by (route) (entra_connect_probe_success{${detailSel}})`, '{{route}}'),
    ], { mappings: upDownMappings, steps: [[null, 'red'], [1, 'green']] }),
    { h: 6, w: 12, x: 0, y },
  );
  d.add(
    stateTimeline('Failure reason per route', 'The failure reason of the last probe per route, over time.', [
      target('A', `max by (route, reason) (entra_connect_probe_failure_reason{${detailSel}} == 1)`, '{{route}} {{reason}}'),
    ], { steps: [[null, 'red']] }),
    { h: 6, w: 12, x: 12, y },
  );
  y += 6;
  d.add(
    timeseries('Failures by reason', 'Failed probes per interval by route and reason.', [
      target('A', `sum by (route, reason) (increase(entra_connect_probe_failures_total{${detailSel}}[$__rate_interval]))`, '{{route}} {{reason}}'),
    ], { draw: 'bars', stack: true, fill: 80, min: 0 }),
    { h: 8, w: 12, x: 0, y },
  );
  d.add(
    timeseries('Failure ratio over the last hour', `Share of failed probes over a sliding hour; the line is the intermittent-failure threshold (${INTERMITTENT_RATIO * 100} %).`, [
      target('A', `sum by (route) (increase(entra_connect_probe_failures_total{${detailSel}}[1h])) / sum by (route) (increase(entra_connect_probes_total{${detailSel}}[1h]))`, '{{route}}'),
    ], { unit: 'percentunit', min: 0, max: 1, steps: [[null, 'transparent'], [INTERMITTENT_RATIO, 'red']], thresholdLine: true }),
    { h: 8, w: 12, x: 12, y },
  );
  y += 8;

  d.row('TLS and proxy', y++);
  d.add(
    tablePanel('TLS', 'TLS version negotiated and when the earliest certificate of the chain expires, per route. An unexpected issuer or a short-lived certificate points at a TLS-inspecting proxy.', [
      table('A', `max by (route, version) (entra_connect_probe_tls_version_info{${detailSel}} == 1)`),
      table('B', `max by (route) (entra_connect_probe_tls_cert_expiry_timestamp_seconds{${detailSel}}) * 1000`),
      table('C', `max by (route) (entra_connect_probe_tls_cert_expiry_timestamp_seconds{${detailSel}}) - time()`),
    ], {
      transformations: [{ id: 'merge', options: {} }, organize(['route', 'version', 'Value #B', 'Value #C'], { 'Value #B': 'certificate expires', 'Value #C': 'expires in' }, ['Time', 'Value #A'])],
      overrides: [
        override('Value #B', { unit: 'dateTimeAsIso' }),
        override('Value #C', { unit: 'dtdurations', 'custom.cellOptions': { type: 'color-text' }, thresholds: thresholds([null, 'red'], [7 * 86400, 'orange'], [30 * 86400, 'green']) }),
      ],
    }),
    { h: 6, w: 12, x: 0, y },
  );
  d.add(
    tablePanel('Proxy authentication schemes (407)', 'Schemes the proxy offered when it answered 407 for this endpoint.', [
      table('A', `max by (route, scheme) (entra_connect_probe_proxy_auth_scheme_info{${detailSel}} == 1)`),
    ], { transformations: [organize(['route', 'scheme'], {}, ['Time', 'Value'])] }),
    { h: 6, w: 6, x: 12, y },
  );
  d.add(
    stateTimeline('Timing disturbed', 'Probes whose timings were inflated by event-loop lag on the agent.', [
      target('A', `max by (route) (entra_connect_probe_timing_disturbed{${detailSel}})`, '{{route}}'),
    ], { mappings: [{ type: 'value', options: { 0: { text: 'clean', color: 'green', index: 0 }, 1: { text: 'disturbed', color: 'orange', index: 1 } } }] }),
    { h: 6, w: 6, x: 18, y },
  );

  return dashboard({
    uid: DETAIL_UID,
    title: 'Entra Connect endpoint detail',
    description: 'One Microsoft Entra Connect endpoint: phases, status codes, failure reasons over time and TLS facts, per route.',
    panels: d.panels,
    variables: [datasourceVar, instanceVar, categoryVar, endpointVar, routeVar],
    links: [
      { title: 'Connectivity overview', type: 'link', url: `/d/${OVERVIEW_UID}/entra-connect-overview`, icon: 'dashboard', keepTime: true, includeVars: false, asDropdown: false, targetBlank: false, tags: [], tooltip: '' },
    ],
  });
}

// ---------------------------------------------------------------- write or check
const outputs = {
  'dashboards/entra-connect-overview.json': overview(),
  'dashboards/entra-connect-endpoint.json': detail(),
};
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, dash] of Object.entries(outputs)) {
  const text = `${JSON.stringify(dash, null, 2)}\n`;
  const path = join(root, file);
  if (check) {
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current !== text) {
      console.error(`${file} is out of date: run node scripts/build-dashboards.mjs`);
      stale++;
    }
  } else {
    await writeFile(path, text);
    console.log(`wrote ${file}`);
  }
}
process.exitCode = stale ? 1 : 0;
