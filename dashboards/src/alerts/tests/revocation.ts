// Revocation: digicert-crl4's CRL fails over the winhttp route from minute 2 and warns after its for; digicert-ocsp
// answers throughout and stays quiet. A served host no row covers from minute 2 warns after its (longer) for.
import { M } from '../../metrics.js';
import { THRESHOLDS, prose } from '../../thresholds.js';
import { AGENT, INSTANCE, aroundFor, expected, minutes, quiet, series, type TestGroup } from './fixtures.js';

const FAILING = THRESHOLDS.revocationFailingForSeconds;
const UNCOVERED = THRESHOLDS.revocationUncoveredForSeconds;
const ONSET = 2;
const K = ONSET + minutes(UNCOVERED) + 10;
const from = (good: string, bad: string) => `${`${good} `.repeat(ONSET)}${bad}x${K - ONSET}`;

export const revocationChecks: TestGroup = {
  comment: `Revocation: digicert-crl4's CRL fails over winhttp from minute ${ONSET} (warns after ${prose(FAILING)}), digicert-ocsp answers; one served host outside the catalogue from minute ${ONSET} warns after ${prose(UNCOVERED)}.`,
  input_series: [
    series(M.revocationSuccess, { endpoint: 'digicert-crl4', route: 'winhttp', type: 'crl' }, from('1', '0')),
    series(M.revocationSuccess, { endpoint: 'digicert-ocsp', route: 'winhttp', type: 'ocsp' }, `1x${K}`),
    series(M.revocationUncovered, {}, from('0', '1')),
  ],
  alert_rule_test: [
    quiet(ONSET, 'EntraConnectRevocationFailing'),
    ...aroundFor(
      ONSET,
      FAILING,
      'EntraConnectRevocationFailing',
      expected(
        { severity: 'warning', ...AGENT, endpoint: 'digicert-crl4', route: 'winhttp', type: 'crl' },
        'Revocation checks (crl) under digicert-crl4 fail on route winhttp',
        `For ${prose(FAILING)} a crl URL that the certificates of Microsoft's endpoints name under the catalogue row digicert-crl4 has not answered over route winhttp from ${INSTANCE}. Windows checks the revocation of those certificates by fetching these URLs over HTTP/80 (through WinHTTP's proxy): when it cannot, TLS to Microsoft Entra ID can fail or stall.\n` +
          'Remedy: allow the revocation hosts over HTTP/80 in the proxy that WinHTTP uses (`netsh winhttp show proxy`), as the article\'s table lists them. Run `entra-connect-monitor check` for the URL, the reason and the proxy\'s answer.',
      ),
    ),
    ...aroundFor(
      ONSET,
      UNCOVERED,
      'EntraConnectRevocationHostNotInCatalogue',
      expected(
        { severity: 'warning', ...AGENT },
        `A revocation host of Microsoft's certificates is not in the catalogue on ${INSTANCE}`,
        `For ${prose(UNCOVERED)} the chains Microsoft's endpoints serve to ${INSTANCE} have named 1 CRL or OCSP host(s) that no catalogue row covers: the proxy must allow them too, and the probes do not track them by name.\n` +
          'Remedy: run `entra-connect-monitor check`: each host is a revocation_host_not_in_catalogue finding with a catalogue entry to add (catalogue.add).',
      ),
    ),
  ],
};
