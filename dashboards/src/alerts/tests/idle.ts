// Proxy idle timeout: corp-proxy closes idle tunnels after 120 s (under the article's minimum: fail), warn-proxy
// after 330 s (over the minimum, under the prerequisites' requirement: warn), other-proxy after 600 s (fine);
// silent-proxy drops tunnels without closing them.
import { REMEDIES } from '../../../../agent/probes/classify.js';
import { M } from '../../metrics.js';
import { THRESHOLDS, prose } from '../../thresholds.js';
import { AGENT, aroundFor, expected, minutes, series, type TestGroup } from './fixtures.js';

const REQUIRED = THRESHOLDS.idleRequiredSeconds;
const MINIMUM = THRESHOLDS.idleMinimumSeconds;
const FOR = THRESHOLDS.proxyIdleForSeconds;
const K = minutes(FOR) + 15;
if (MINIMUM <= 120 || MINIMUM >= 330 || REQUIRED <= 330 || REQUIRED >= 600) throw new Error('thresholds.ts no longer fits the idle promtool scenario: rewrite dashboards/src/alerts/tests/idle.ts');

export const proxyIdle: TestGroup = {
  comment: `Proxy idle timeout against the ${MINIMUM} s minimum and the ${REQUIRED} s requirement: corp-proxy closes idle tunnels after 120 s (fail), warn-proxy after 330 s (warn), other-proxy after 600 s (pass); silent-proxy drops them silently.`,
  input_series: [
    series(M.idleRequired, {}, `${REQUIRED}x${K}`),
    series(M.idleMinimum, {}, `${MINIMUM}x${K}`),
    series(M.idleClose, { route: 'corp-proxy' }, `120x${K}`),
    series(M.idleClose, { route: 'warn-proxy' }, `330x${K}`),
    series(M.idleClose, { route: 'other-proxy' }, `600x${K}`),
    series(M.idleVerdict, { route: 'corp-proxy' }, `0x${K}`),
    series(M.idleVerdict, { route: 'warn-proxy' }, `1x${K}`),
    series(M.idleVerdict, { route: 'other-proxy' }, `2x${K}`),
    series(M.idleSilentDrop, { route: 'silent-proxy' }, `1x${K}`),
    series(M.idleSilentDrop, { route: 'corp-proxy' }, `0x${K}`),
  ],
  // Each firing case lists every alert promtool must see: warn-proxy is not too short, and only it is below the
  // requirement (corp-proxy fails, other-proxy passes).
  alert_rule_test: [
    ...aroundFor(
      0,
      FOR,
      'EntraConnectProxyIdleTimeoutTooShort',
      expected(
        { severity: 'warning', ...AGENT, route: 'corp-proxy' },
        'Proxy on route corp-proxy closes idle tunnels after 2m 0s',
        `The idle-tunnel probe from sync01:9815 saw the proxy on route corp-proxy close an idle connection after 2m 0s; Microsoft Entra Connect needs more than ${prose(MINIMUM)} (the troubleshooting article), at least ${prose(REQUIRED)} (the prerequisites).\nRemedy: ${REMEDIES.idle_tunnel_closed}`,
      ),
    ),
    ...aroundFor(
      0,
      FOR,
      'EntraConnectProxyIdleTimeoutBelowRequirement',
      expected(
        { severity: 'warning', ...AGENT, route: 'warn-proxy' },
        'Proxy on route warn-proxy keeps idle tunnels more than 5 minutes but less than 6',
        `The idle-tunnel probe from sync01:9815 saw the proxy on route warn-proxy keep idle tunnels longer than the troubleshooting article's ${prose(MINIMUM)} but close them before the prerequisites' ${prose(REQUIRED)}: exports that take Microsoft Entra ID close to 5 minutes can still be cut.\nRemedy: ${REMEDIES.idle_tunnel_closed}`,
      ),
    ),
    ...aroundFor(
      0,
      FOR,
      'EntraConnectProxyIdleSilentDrop',
      expected(
        { severity: 'warning', ...AGENT, route: 'silent-proxy' },
        'Proxy on route silent-proxy silently drops idle tunnels',
        `The idle-tunnel probe from sync01:9815 held a tunnel through the proxy on route silent-proxy for the required time and the proxy then dropped it without closing it: the proxy idle timeout is below the requirement.\nRemedy: ${REMEDIES.idle_tunnel_closed}`,
      ),
    ),
  ],
};
