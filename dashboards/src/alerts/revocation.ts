// Certificate revocation as Windows checks it: a CRL or OCSP URL that the endpoints' served chains name failing over
// the revocation route (WinHTTP's proxy, as CryptoAPI takes it), and a served revocation host the catalogue lacks.
import { M } from '../metrics.js';
import { THRESHOLDS, prose } from '../thresholds.js';
import type { AlertRule } from './rule.js';

const failingFor = THRESHOLDS.revocationFailingForSeconds;
const uncoveredFor = THRESHOLDS.revocationUncoveredForSeconds;

export const revocationRules: AlertRule[] = [
  {
    alert: 'EntraConnectRevocationFailing',
    expr: `max by (job, instance, endpoint, route, type) (${M.revocationSuccess}) == 0`,
    forSeconds: failingFor,
    severity: 'warning',
    summary: 'Revocation checks ({{ $labels.type }}) under {{ $labels.endpoint }} fail on route {{ $labels.route }}',
    description: [
      `For ${prose(failingFor)} a {{ $labels.type }} URL that the certificates of Microsoft's endpoints name under the catalogue row {{ $labels.endpoint }} has not answered over route {{ $labels.route }} from {{ $labels.instance }}. Windows checks the revocation of those certificates by fetching these URLs over HTTP/80 (through WinHTTP's proxy): when it cannot, TLS to Microsoft Entra ID can fail or stall.`,
      'Remedy: allow the revocation hosts over HTTP/80 in the proxy that WinHTTP uses (`netsh winhttp show proxy`), as the article\'s table lists them. Run `entra-connect-monitor check` for the URL, the reason and the proxy\'s answer.',
    ].join('\n'),
  },
  {
    alert: 'EntraConnectRevocationHostNotInCatalogue',
    expr: `max by (job, instance) (${M.revocationUncovered}) > 0`,
    forSeconds: uncoveredFor,
    severity: 'warning',
    summary: 'A revocation host of Microsoft\'s certificates is not in the catalogue on {{ $labels.instance }}',
    description: [
      `For ${prose(uncoveredFor)} the chains Microsoft's endpoints serve to {{ $labels.instance }} have named {{ $value }} CRL or OCSP host(s) that no catalogue row covers: the proxy must allow them too, and the probes do not track them by name.`,
      'Remedy: run `entra-connect-monitor check`: each host is a revocation_host_not_in_catalogue finding with a catalogue entry to add (catalogue.add).',
    ].join('\n'),
  },
];
