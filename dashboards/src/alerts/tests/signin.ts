// Sign-in realm discovery failing since minute 2 fires after its `for`, with its finding; a domain whose
// discovery recovered after a few failures must not fire.
import { M } from '../../metrics.js';
import { THRESHOLDS, prose } from '../../thresholds.js';
import { AGENT, INSTANCE, aroundFor, expected, fires, minutes, series, type ExpectedAlert, type TestGroup } from './fixtures.js';

const FOR = THRESHOLDS.signInFailingForSeconds;
const ONSET = 2;
const LATER = ONSET + minutes(FOR) + 13;
const K = LATER + 2;
const DOMAIN = 'fabrikam.partner.onmschina.cn';
const ALERT = 'EntraConnectSignInRealmDiscoveryFailed';
const labels = { route: 'corp-proxy', domain: DOMAIN };

const failing: ExpectedAlert = expected(
  { severity: 'warning', ...AGENT, ...labels },
  `User realm discovery for ${DOMAIN} fails over route corp-proxy on ${INSTANCE}`,
  `For ${prose(FOR)} the login service did not answer the user realm discovery for ${DOMAIN} over route corp-proxy from ${INSTANCE}: the wizard's sign-in would fail with "User realm discovery failed". Finding: realm_discovery_failed.\n` +
    `Remedy: network or proxy configuration issues. The network can't be reached. See Connectivity issues in the installation wizard: check that the proxy is reachable and has been opened for the login host, and that machine.config is correctly configured. A finding unexpected_response means a block page or TLS inspection answered in place of the login service. Run \`entra-connect-monitor check --tenant ${DOMAIN}\` for the detail.`,
);

export const signInDiscovery: TestGroup = {
  comment: `Sign-in realm discovery: failing from minute ${ONSET} fires after ${prose(FOR)}, with its finding; the direct route recovered after a few failed discoveries and must not fire.`,
  input_series: [
    series(M.signInSuccess, labels, `1 1 0x${K - ONSET}`),
    series(M.signInFinding, { ...labels, code: 'realm_discovery_failed' }, `0 0 1x${K - ONSET}`),
    series(M.signInFinding, { ...labels, code: 'unexpected_response' }, `0x${K}`),
    series(M.signInSuccess, { route: 'direct', domain: DOMAIN }, `1 1 0x4 1x${K - 7}`),
  ],
  alert_rule_test: [...aroundFor(ONSET, FOR, ALERT, failing), fires(LATER, ALERT, failing)],
};
