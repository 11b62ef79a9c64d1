// The endpoint detail: one endpoint, every route, over time. The overview links here with the endpoint chosen.
import { Layout, dashboard, dashboardLink, datasourceVariable } from '../grafana/dashboard.js';
import type { Dashboard } from '../grafana/types.js';
import { DETAIL_UID, OVERVIEW_UID } from '../selectors.js';
import { categoryVariable, endpointVariable, instanceVariable, routeVariable } from '../variables.js';
import { failures } from './failures.js';
import { header } from './header.js';
import { phases } from './phases.js';
import { tlsAndProxy } from './tls-proxy.js';

export function endpointDetail(): Dashboard {
  const layout = new Layout();
  for (const group of [header, phases, failures, tlsAndProxy]) group(layout);
  return dashboard({
    uid: DETAIL_UID,
    title: 'Entra Connect endpoint detail',
    description: 'One Microsoft Entra Connect endpoint: phases, status codes, failure reasons over time and TLS facts, per route.',
    layout,
    variables: [datasourceVariable, instanceVariable, categoryVariable, endpointVariable, routeVariable],
    links: [dashboardLink('Connectivity overview', `/d/${OVERVIEW_UID}/entra-connect-overview`, false)],
  });
}
