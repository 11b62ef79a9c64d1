// The agent itself: probes stale, not scraped, machine.config problems found, configuration reload failed.
import { M, UP } from '../metrics.js';
import { PROBES_STALE_SECONDS, THRESHOLDS, prose } from '../thresholds.js';
import { perTarget, type AlertRule } from './rule.js';

const T = THRESHOLDS;

export const agentRules: AlertRule[] = [
  {
    alert: 'EntraConnectProbesStale',
    expr: `time() - max by (job, instance) (${M.runLast}) > ${PROBES_STALE_SECONDS}`,
    severity: 'warning',
    summary: 'Entra Connect probes on {{ $labels.instance }} have not run for {{ $value | humanizeDuration }}',
    description:
      'The agent on {{ $labels.instance }} answers scrapes but has not completed a probe run for {{ $value | humanizeDuration }}, so the endpoint alerts are blind.\n' +
      `Remedy: check the agent's log for a stuck run (${M.runsSkipped} rises while a run hangs) and its schedule in agent.yaml; restart the agent if a run never ends.`,
  },
  {
    alert: 'EntraConnectAgentDown',
    expr: `${UP}{job="${T.agentJob}"} == 0`,
    forSeconds: T.agentDownForSeconds,
    severity: 'warning',
    summary: 'Entra Connect monitor on {{ $labels.instance }} is down',
    description:
      `Prometheus could not scrape the entra-connect-monitor agent on {{ $labels.instance }} for ${prose(T.agentDownForSeconds)}; connectivity to Microsoft Entra ID is not being watched from this server.\n` +
      'Remedy: check that the agent service runs, that its listen address and port match the scrape job, and that a firewall lets Prometheus reach it.',
  },
  {
    alert: 'EntraConnectMachineConfigProblems',
    expr: `max by (job, instance, route) (${M.machineConfigProblems}) > 0`,
    forSeconds: T.machineConfigProblemsForSeconds,
    severity: 'warning',
    summary: 'machine.config on {{ $labels.instance }} has {{ $value }} proxy problem(s) for route {{ $labels.route }}',
    description: [
      'The agent found {{ $value }} problem(s) in the machine.config proxy settings (<system.net><defaultProxy>) that the route {{ $labels.route }} checks on {{ $labels.instance }}',
      `{{- range ${perTarget(M.machineConfigInfo, ['job', 'instance', 'route'])} | query }} ({{ .Labels.path }}){{ end }}. Run \`entra-connect-monitor check\` there for the findings.`,
      'Remedy: make sure that machine.config is correctly configured and that the Microsoft Entra ID Sync service has been restarted once after the machine.config file update. Update machine.config, not miiserver.exe.config, which is overwritten on every upgrade.',
    ].join('\n'),
  },
  {
    alert: 'EntraConnectConfigReloadFailed',
    expr: `max by (job, instance) (${M.reloadOk}) == 0`,
    forSeconds: T.configReloadFailedForSeconds,
    severity: 'warning',
    summary: 'Entra Connect monitor on {{ $labels.instance }} failed to reload its configuration',
    description:
      'The last configuration reload of the agent on {{ $labels.instance }} failed; it keeps probing with the previous configuration.\n' +
      'Remedy: run `entra-connect-monitor check` against the configuration to see the error, fix agent.yaml or the endpoint catalogue, and reload again (SIGHUP or POST /-/reload).',
  },
];
