// The variables both dashboards offer: which agent, which routes, which categories, and on the detail one endpoint.
import { M } from './metrics.js';
import { multiVariable, queryVariable } from './grafana/dashboard.js';
import { inst } from './selectors.js';

export const instanceVariable = queryVariable('instance', 'Agent', `label_values(${M.buildInfo}, instance)`);
export const routeVariable = multiVariable('route', 'Route', `label_values(${M.success}{${inst}}, route)`);
export const categoryVariable = multiVariable('category', 'Category', `label_values(${M.endpointInfo}{${inst}}, category)`);
export const endpointVariable = queryVariable('endpoint', 'Endpoint', `label_values(${M.endpointInfo}{${inst}, category=~"$category"}, endpoint)`);
