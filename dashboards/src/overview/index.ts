// The connectivity overview: every endpoint over every route, top to bottom from "what is down" to the agent.
import { Layout, dashboard, dashboardLink, datasourceVariable } from '../grafana/dashboard.js';
import type { Dashboard } from '../grafana/types.js';
import { DETAIL_UID, OVERVIEW_UID } from '../selectors.js';
import { categoryVariable, instanceVariable, routeVariable } from '../variables.js';
import { agentHealth } from './agent.js';
import { host } from './host.js';
import { latency } from './latency.js';
import { proxy } from './proxy.js';
import { revocation } from './revocation.js';
import { machineConfigAndSignIn } from './signin.js';
import { status } from './status.js';
import { summary } from './summary.js';

export function overview(): Dashboard {
  const layout = new Layout();
  for (const group of [summary, status, latency, proxy, revocation, machineConfigAndSignIn, host, agentHealth]) group(layout);
  return dashboard({
    uid: OVERVIEW_UID,
    title: 'Entra Connect connectivity overview',
    description: 'Reachability of the Microsoft Entra Connect endpoints from this server, per route, with the remedies from "Troubleshoot Microsoft Entra Connect connectivity issues".',
    layout,
    variables: [datasourceVariable, instanceVariable, routeVariable, categoryVariable],
    links: [dashboardLink('Endpoint detail', `/d/${DETAIL_UID}/entra-connect-endpoint`, true)],
  });
}
