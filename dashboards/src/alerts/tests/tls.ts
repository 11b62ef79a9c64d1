// TLS inspection: adminwebservice over corp-proxy is tls_intercepted from minute 2 and warns after its `for`; the
// same endpoint over other-proxy fails for another reason (not interception), and an optional endpoint's
// interception does not warn here.
import { REMEDIES } from '../../../../agent/probes/classify.js';
import { M } from '../../metrics.js';
import { THRESHOLDS } from '../../thresholds.js';
import { ENDPOINTS, aroundFor, endpointAlertLabels, endpointInfo, expected, minutes, series, type TestGroup } from './fixtures.js';

const FOR = THRESHOLDS.tlsInterceptedForSeconds;
const ONSET = 2;
const K = ONSET + minutes(FOR) + 10;
const { adminwebservice, mscrl } = ENDPOINTS;

export const tlsIntercepted: TestGroup = {
  comment: 'TLS inspection of a required endpoint warns after its for; another failure reason, or an optional endpoint, does not.',
  input_series: [
    endpointInfo(adminwebservice, K),
    endpointInfo(mscrl, K),
    series(M.failureReason, { endpoint: adminwebservice.endpoint, route: 'corp-proxy', reason: 'tls_intercepted' }, `_ _ 1x${K - ONSET}`),
    series(M.failureReason, { endpoint: adminwebservice.endpoint, route: 'other-proxy', reason: 'tls_untrusted' }, `1x${K}`),
    series(M.failureReason, { endpoint: mscrl.endpoint, route: 'corp-proxy', reason: 'tls_intercepted' }, `1x${K}`),
  ],
  alert_rule_test: [
    ...aroundFor(
      ONSET,
      FOR,
      'EntraConnectTlsIntercepted',
      expected(
        endpointAlertLabels('warning', adminwebservice, 'corp-proxy'),
        'TLS to adminwebservice is inspected on route corp-proxy',
        `The certificate of ${adminwebservice.url} seen over route corp-proxy from sync01:9815 validates but does not chain to a root Microsoft publishes for the cloud: a proxy or firewall breaks and inspects the TLS. The issuer seen is in the probe detail (check --json, the status page).\nRemedy: ${REMEDIES.tls_intercepted}`,
      ),
    ),
  ],
};
