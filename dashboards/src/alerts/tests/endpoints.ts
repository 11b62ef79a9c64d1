// Endpoint down: a required endpoint fails for the down `for` and pages; an optional one only warns, later.
import { REMEDIES } from '../../../../agent/probes/classify.js';
import { M } from '../../metrics.js';
import { THRESHOLDS, prose } from '../../thresholds.js';
import { ENDPOINTS, aroundFor, endpointAlertLabels, endpointInfo, expected, minutes, series, type TestGroup } from './fixtures.js';

const T = THRESHOLDS;
const ONSET = 2; // both fail from minute 2
const K = ONSET + minutes(Math.max(T.endpointDownForSeconds, T.optionalEndpointDownForSeconds)) + 20;
const { login, mscrl } = ENDPOINTS;
const downFrom = (onset: number) => `${'1 '.repeat(onset)}0x${K - onset}`;

export const endpointDown: TestGroup = {
  comment: `Endpoint down: a required endpoint fails for ${prose(T.endpointDownForSeconds)} -> critical; an optional one only warns after ${prose(T.optionalEndpointDownForSeconds)}. The same endpoint stays up over the direct route: only corp-proxy is down.`,
  input_series: [
    endpointInfo(login, K),
    endpointInfo(mscrl, K),
    series(M.success, { endpoint: 'login', route: 'corp-proxy' }, downFrom(ONSET)),
    series(M.failureReason, { endpoint: 'login', route: 'corp-proxy', reason: 'dns' }, `0 0 1x${K - ONSET}`),
    series(M.failureReason, { endpoint: 'login', route: 'corp-proxy', reason: 'timeout' }, `0x${K}`),
    series(M.success, { endpoint: 'login', route: 'direct' }, `1x${K}`),
    series(M.success, { endpoint: 'mscrl', route: 'corp-proxy' }, downFrom(ONSET)),
    series(M.failureReason, { endpoint: 'mscrl', route: 'corp-proxy', reason: 'timeout' }, `0 0 1x${K - ONSET}`),
  ],
  alert_rule_test: [
    ...aroundFor(
      ONSET,
      T.endpointDownForSeconds,
      'EntraConnectEndpointDown',
      expected(
        endpointAlertLabels('critical', login, 'corp-proxy'),
        'Entra Connect endpoint login unreachable over route corp-proxy',
        `Every probe of ${login.url} (authentication) over route corp-proxy from sync01:9815 failed for ${prose(T.endpointDownForSeconds)}; Microsoft Entra Connect needs this endpoint.\nReason: dns. Remedy: ${REMEDIES.dns}`,
      ),
    ),
    ...aroundFor(
      ONSET,
      T.optionalEndpointDownForSeconds,
      'EntraConnectOptionalEndpointDown',
      expected(
        endpointAlertLabels('warning', mscrl, 'corp-proxy'),
        'Optional Entra Connect endpoint mscrl unreachable over route corp-proxy',
        `Every probe of ${mscrl.url} (certificate) over route corp-proxy from sync01:9815 failed for ${prose(T.optionalEndpointDownForSeconds)}. The endpoint is not marked required, so this does not page.\nReason: timeout. Remedy: ${REMEDIES.timeout}`,
      ),
    ),
  ],
};
