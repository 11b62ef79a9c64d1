// Proxy 403 and 407 on required endpoints page after their `for`; the same answers for an optional endpoint do not.
import { REMEDIES } from '../../../../agent/probes/classify.js';
import { M } from '../../metrics.js';
import { THRESHOLDS } from '../../thresholds.js';
import { ENDPOINTS, aroundFor, endpointAlertLabels, endpointInfo, expected, minutes, series, type TestGroup } from './fixtures.js';

const FOR = THRESHOLDS.proxyAnswerForSeconds;
const ONSET = 2;
const K = ONSET + minutes(FOR) + 16;
const { login, mfa, mscrl } = ENDPOINTS;
const route = { route: 'corp-proxy' };
const answersFrom = (status: number) => `200 200 ${status}x${K - ONSET}`;

export const proxyAnswers: TestGroup = {
  comment: 'Proxy 403 and 407 on required endpoints page; the same answers for an optional endpoint do not, nor a route that forwards.',
  input_series: [
    endpointInfo(login, K),
    endpointInfo(mfa, K),
    endpointInfo(mscrl, K),
    series(M.proxyStatus, { endpoint: mfa.endpoint, ...route }, answersFrom(403)),
    series(M.proxyStatus, { endpoint: 'login', ...route }, answersFrom(407)),
    series(M.authScheme, { endpoint: 'login', ...route, scheme: 'NTLM' }, `_ _ 1x${K - ONSET}`),
    series(M.authScheme, { endpoint: 'login', ...route, scheme: 'Negotiate' }, `_ _ 1x${K - ONSET}`),
    series(M.proxyStatus, { endpoint: 'mscrl', ...route }, `403x${K}`),
    series(M.proxyStatus, { endpoint: 'login', route: 'other-proxy' }, `200x${K}`),
  ],
  alert_rule_test: [
    ...aroundFor(
      ONSET,
      FOR,
      'EntraConnectProxyDenied',
      expected(
        endpointAlertLabels('critical', mfa, 'corp-proxy', ['pattern']),
        `Proxy on route corp-proxy denies ${mfa.pattern} (403)`,
        `The proxy on route corp-proxy answers 403 Forbidden for ${mfa.url} (pattern ${mfa.pattern}) from sync01:9815.\nRemedy: ${REMEDIES.proxy_denied}`,
      ),
    ),
    ...aroundFor(
      ONSET,
      FOR,
      'EntraConnectProxyAuthenticationRequired',
      expected(
        endpointAlertLabels('critical', login, 'corp-proxy', ['pattern']),
        'Proxy on route corp-proxy wants authentication for login (407)',
        `The proxy on route corp-proxy answers 407 Proxy Authentication Required for ${login.url} from sync01:9815. Schemes offered: NTLM Negotiate.\nRemedy: ${REMEDIES.proxy_auth_required}`,
      ),
    ),
  ],
};
