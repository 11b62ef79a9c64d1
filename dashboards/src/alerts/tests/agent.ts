// Agent health: probe runs every minute until minute 10, then stop; the scrape, the machine.config check and the
// configuration reload go bad at minute 2.
import { M, UP } from '../../metrics.js';
import { PROBES_STALE_SECONDS, THRESHOLDS, prose } from '../../thresholds.js';
import { AGENT, INSTANCE, aroundFor, expected, fires, minutes, quiet, series, type TestGroup } from './fixtures.js';

const T = THRESHOLDS;
const LAST_RUN = 10;
const STALE_AT = LAST_RUN + minutes(PROBES_STALE_SECONDS) + 1;
const ONSET = 2;
const K = Math.max(STALE_AT, ONSET + minutes(Math.max(T.agentDownForSeconds, T.machineConfigProblemsForSeconds, T.configReloadFailedForSeconds))) + 10;
const WINDOWS_PATH = 'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config';
const badFrom = (good: string, bad: string) => `${`${good} `.repeat(ONSET)}${bad}x${K - ONSET}`;

/** {{ $value | humanizeDuration }} of a whole number of seconds under a day. */
function humanizeDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h ? `${h}h ` : ''}${m}m ${seconds % 60}s`;
}

const staleFor = humanizeDuration((STALE_AT - LAST_RUN) * 60);

export const agentHealth: TestGroup = {
  comment: `Agent health: runs every minute until minute ${LAST_RUN}, then stop (stale after ${PROBES_STALE_SECONDS} s); the scrape fails, machine.config has 2 problems and the config reload fails from minute ${ONSET}. Only the ${T.agentJob} job counts for up: node's up == 0 is someone else's alert.`,
  input_series: [
    series(M.runLast, {}, `0+60x${LAST_RUN} ${LAST_RUN * 60}x${K - LAST_RUN}`),
    series(UP, {}, badFrom('1', '0')),
    series(UP, {}, `1x${K}`, 'sync02:9815'),
    { series: `${UP}{job="node",instance="sync01:9100"}`, values: `0x${K}` },
    series(M.machineConfigProblems, { route: 'corp-proxy' }, badFrom('0', '2')),
    series(M.machineConfigProblems, { route: 'direct' }, `0x${K}`),
    series(M.machineConfigInfo, { route: 'corp-proxy', path: WINDOWS_PATH, proxy_address: '', use_default_credentials: 'false', bypass_on_local: 'false' }, `1x${K}`),
    series(M.reloadOk, {}, badFrom('1', '0')),
    series(M.reloadOk, {}, `1x${K}`, 'sync02:9815'),
  ],
  alert_rule_test: [
    // Exactly the stale threshold old is not stale yet; a minute later it is.
    quiet(STALE_AT - 1, 'EntraConnectProbesStale'),
    fires(
      STALE_AT,
      'EntraConnectProbesStale',
      expected(
        { severity: 'warning', ...AGENT },
        `Entra Connect probes on ${INSTANCE} have not run for ${staleFor}`,
        `The agent on ${INSTANCE} answers scrapes but has not completed a probe run for ${staleFor}, so the endpoint alerts are blind.\nRemedy: check the agent's log for a stuck run (${M.runsSkipped} rises while a run hangs) and its schedule in agent.yaml; restart the agent if a run never ends.`,
      ),
    ),
    ...aroundFor(
      ONSET,
      T.agentDownForSeconds,
      'EntraConnectAgentDown',
      expected(
        { severity: 'warning', ...AGENT },
        `Entra Connect monitor on ${INSTANCE} is down`,
        `Prometheus could not scrape the entra-connect-monitor agent on ${INSTANCE} for ${prose(T.agentDownForSeconds)}; connectivity to Microsoft Entra ID is not being watched from this server.\nRemedy: check that the agent service runs, that its listen address and port match the scrape job, and that a firewall lets Prometheus reach it.`,
      ),
    ),
    ...aroundFor(
      ONSET,
      T.machineConfigProblemsForSeconds,
      'EntraConnectMachineConfigProblems',
      expected(
        { severity: 'warning', ...AGENT, route: 'corp-proxy' },
        `machine.config on ${INSTANCE} has 2 proxy problem(s) for route corp-proxy`,
        `The agent found 2 problem(s) in the machine.config proxy settings (<system.net><defaultProxy>) that the route corp-proxy checks on ${INSTANCE} (${WINDOWS_PATH}). Run \`entra-connect-monitor check\` there for the findings.\nRemedy: make sure that machine.config is correctly configured and that the Microsoft Entra ID Sync service has been restarted once after the machine.config file update. Update machine.config, not miiserver.exe.config, which is overwritten on every upgrade.`,
      ),
    ),
    ...aroundFor(
      ONSET,
      T.configReloadFailedForSeconds,
      'EntraConnectConfigReloadFailed',
      expected(
        { severity: 'warning', ...AGENT },
        `Entra Connect monitor on ${INSTANCE} failed to reload its configuration`,
        `The last configuration reload of the agent on ${INSTANCE} failed; it keeps probing with the previous configuration.\nRemedy: run \`entra-connect-monitor check\` against the configuration to see the error, fix agent.yaml or the endpoint catalogue, and reload again (SIGHUP or POST /-/reload).`,
      ),
    ),
  ],
};
