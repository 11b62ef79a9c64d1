// Selectors and cross-links both dashboards share, and the remedy mapping from the agent's closed reason set.
import { FAILURE_REASONS, REMEDIES } from '../../agent/probes/classify.js';
import { M } from './metrics.js';
import type { Link, ValueMapping } from './grafana/types.js';

export const OVERVIEW_UID = 'entra-connect-overview';
export const DETAIL_UID = 'entra-connect-endpoint';

export const inst = 'instance="$instance"';
export const instRoute = `${inst}, route=~"$route"`;
/** Keeps only endpoints of the selected categories; `and` needs no unique right side. */
export const inCategory = `and on (endpoint) ${M.endpointInfo}{${inst}, category=~"$category"}`;
export const detailSel = `${inst}, endpoint="$endpoint", route=~"$route"`;

/** The remedy per failure reason, in the words agent/probes/classify.ts gives the agent's own output. */
export const remedyMappings: ValueMapping[] = [
  { type: 'value', options: Object.fromEntries(FAILURE_REASONS.map((reason, index) => [reason, { text: REMEDIES[reason], index }])) },
];

const detailLink = (endpointRef: string, routeRef: string): Link => ({
  title: `Endpoint detail: ${endpointRef} over ${routeRef}`,
  url: `/d/${DETAIL_UID}/entra-connect-endpoint?var-datasource=\${datasource}&var-instance=\${instance}&var-endpoint=${endpointRef}&var-route=${routeRef}&\${__url_time_range}`,
});

/** Links to the endpoint detail from a status cell (field labels) and from a table row (data fields). */
export const cellDetailLink = detailLink('${__field.labels.endpoint}', '${__field.labels.route}');
export const rowDetailLink = detailLink('${__data.fields.endpoint}', '${__data.fields.route}');
