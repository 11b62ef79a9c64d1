// Sign-in (user realm) discovery failing for a configured domain.
import { M } from '../metrics.js';
import { THRESHOLDS, prose } from '../thresholds.js';
import { perTarget, type AlertRule } from './rule.js';

const forSeconds = THRESHOLDS.signInFailingForSeconds;

export const signInRules: AlertRule[] = [
  {
    alert: 'EntraConnectSignInRealmDiscoveryFailed',
    expr: `max by (job, instance, route, domain) (${M.signInSuccess}) == 0`,
    forSeconds,
    severity: 'warning',
    summary: 'User realm discovery for {{ $labels.domain }} fails over route {{ $labels.route }} on {{ $labels.instance }}',
    description: [
      `For ${prose(forSeconds)} the login service did not answer the user realm discovery for {{ $labels.domain }} over route {{ $labels.route }} from {{ $labels.instance }}: the wizard's sign-in would fail with "User realm discovery failed".`,
      `{{- range ${perTarget(M.signInFinding, ['job', 'instance', 'route', 'domain'], ' == 1')} | query }} Finding: {{ .Labels.code }}.{{ end }}`,
      "Remedy: network or proxy configuration issues. The network can't be reached. See Connectivity issues in the installation wizard: check that the proxy is reachable and has been opened for the login host, and that machine.config is correctly configured. A finding unexpected_response means a block page or TLS inspection answered in place of the login service. Run `entra-connect-monitor check --tenant {{ $labels.domain }}` for the detail.",
    ].join('\n'),
  },
];
