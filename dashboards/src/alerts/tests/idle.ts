// Proxy idle timeout: corp-proxy closes idle tunnels after 120 s (under the requirement), other-proxy after
// 600 s (fine); silent-proxy drops tunnels without closing them.
import { REMEDIES } from '../../../../agent/probes/classify.js';
import { M } from '../../metrics.js';
import { THRESHOLDS, prose } from '../../thresholds.js';
import { AGENT, aroundFor, expected, minutes, series, type TestGroup } from './fixtures.js';

const REQUIRED = THRESHOLDS.idleRequiredSeconds;
const FOR = THRESHOLDS.proxyIdleForSeconds;
const K = minutes(FOR) + 15;
if (REQUIRED <= 120 || REQUIRED >= 600) throw new Error('thresholds.ts no longer fits the idle promtool scenario: rewrite dashboards/src/alerts/tests/idle.ts');

export const proxyIdle: TestGroup = {
  comment: `Proxy idle timeout against the ${REQUIRED} s requirement: corp-proxy closes idle tunnels after 120 s, other-proxy after 600 s; silent-proxy drops them silently.`,
  input_series: [
    series(M.idleRequired, {}, `${REQUIRED}x${K}`),
    series(M.idleClose, { route: 'corp-proxy' }, `120x${K}`),
    series(M.idleClose, { route: 'other-proxy' }, `600x${K}`),
    series(M.idleSilentDrop, { route: 'silent-proxy' }, `1x${K}`),
    series(M.idleSilentDrop, { route: 'corp-proxy' }, `0x${K}`),
  ],
  alert_rule_test: [
    ...aroundFor(
      0,
      FOR,
      'EntraConnectProxyIdleTimeoutTooShort',
      expected(
        { severity: 'warning', ...AGENT, route: 'corp-proxy' },
        'Proxy on route corp-proxy closes idle tunnels after 2m 0s',
        `The idle-tunnel probe from sync01:9815 saw the proxy on route corp-proxy close an idle connection after 2m 0s; Microsoft Entra Connect needs more than ${prose(REQUIRED)}.\nRemedy: ${REMEDIES.idle_tunnel_closed}`,
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
