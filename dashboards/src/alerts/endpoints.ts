// Endpoint reachability: down (required pages, optional warns) and intermittent failures.
import { REMEDIES } from '../../../agent/probes/classify.js';
import { M } from '../metrics.js';
import { THRESHOLDS, duration, prose } from '../thresholds.js';
import { currentReasonRemedy, perTarget, withEndpointInfo, type AlertRule } from './rule.js';

const T = THRESHOLDS;
const BY_TARGET = 'job, instance, endpoint, route';
/** "hour" for 1h, "2 hours" for 2h: as in "in the last hour". */
const lastWindow = (seconds: number) => prose(seconds).replace(/^1 /, '');

function down(required: boolean): AlertRule {
  const forSeconds = required ? T.endpointDownForSeconds : T.optionalEndpointDownForSeconds;
  const consequence = required
    ? 'Microsoft Entra Connect needs this endpoint.'
    : 'The endpoint is not marked required, so this does not page.';
  return {
    alert: required ? 'EntraConnectEndpointDown' : 'EntraConnectOptionalEndpointDown',
    expr: withEndpointInfo(`max by (${BY_TARGET}) (${M.success} == 0)`, ['category', 'url'], required ? 'true' : 'false'),
    forSeconds,
    severity: required ? 'critical' : 'warning',
    summary: `${required ? 'Entra Connect endpoint' : 'Optional Entra Connect endpoint'} {{ $labels.endpoint }} unreachable over route {{ $labels.route }}`,
    description: [
      `Every probe of {{ $labels.url }} ({{ $labels.category }}) over route {{ $labels.route }} from {{ $labels.instance }} failed for ${prose(forSeconds)}${required ? '; ' : '. '}${consequence}`,
      currentReasonRemedy(),
    ].join('\n'),
  };
}

function intermittent(): AlertRule {
  const I = T.intermittent;
  const w = duration(I.windowSeconds);
  const perTargetSum = (metric: string) => `sum by (${BY_TARGET}) (increase(${metric}[${w}]))`;
  const and = `and on (${BY_TARGET})`;
  const condition = [
    '(',
    '    (',
    `        ${perTargetSum(M.failures)}`,
    '      /',
    `        ${perTargetSum(M.probes)}`,
    `      > ${I.failureRatio}`,
    '    )',
    `  ${and}`,
    `    ${perTargetSum(M.failures)} >= ${I.minFailures}`,
    `  ${and}`,
    `    max by (${BY_TARGET}) (changes(${M.success}[${w}])) >= ${I.minChanges}`,
    `  ${and}`,
    `    max by (${BY_TARGET}) (max_over_time(${M.success}[${duration(I.recentSuccessSeconds)}])) == 1`,
    ')',
  ].join('\n');
  const byReason = perTarget(`sum by (reason) (increase(${M.failures}`, ['job', 'instance', 'endpoint', 'route'], `[${w}])) > 0`);
  return {
    alert: 'EntraConnectEndpointIntermittentFailures',
    expr: withEndpointInfo(condition, ['category', 'url'], 'true'),
    forSeconds: I.forSeconds,
    severity: 'warning',
    summary: 'Entra Connect endpoint {{ $labels.endpoint }} fails intermittently over route {{ $labels.route }}',
    description: [
      `{{ $value | humanizePercentage }} of the probes of {{ $labels.url }} over route {{ $labels.route }} from {{ $labels.instance }} failed in the last ${lastWindow(I.windowSeconds)}, in separate episodes, while the endpoint keeps coming back. This is the article's "intermittent connectivity issues" case.`,
      `Failures in the last ${lastWindow(I.windowSeconds)} by reason:`,
      `{{- range ${byReason} | query | sortByLabel "reason" }} {{ .Labels.reason }} ({{ printf "%.0f" .Value }}){{ end }}.`,
      `Remedy: first the proxy idle timeout (see the proxy idle panel): ${REMEDIES.idle_tunnel_closed} For the other reasons listed, apply the remedy the overview dashboard shows next to each reason.`,
    ].join('\n'),
  };
}

function proxyAnswer(status: 403 | 407): AlertRule {
  const denied = status === 403;
  const schemes = perTarget(M.authScheme, ['job', 'instance', 'endpoint', 'route'], ' == 1');
  return {
    alert: denied ? 'EntraConnectProxyDenied' : 'EntraConnectProxyAuthenticationRequired',
    expr: withEndpointInfo(`max by (${BY_TARGET}) (${M.proxyStatus} == ${status})`, ['category', 'url', 'pattern'], 'true'),
    forSeconds: T.proxyAnswerForSeconds,
    severity: 'critical',
    summary: denied
      ? 'Proxy on route {{ $labels.route }} denies {{ $labels.pattern }} (403)'
      : 'Proxy on route {{ $labels.route }} wants authentication for {{ $labels.endpoint }} (407)',
    description: denied
      ? `The proxy on route {{ $labels.route }} answers 403 Forbidden for {{ $labels.url }} (pattern {{ $labels.pattern }}) from {{ $labels.instance }}.\nRemedy: ${REMEDIES.proxy_denied}`
      : [
          'The proxy on route {{ $labels.route }} answers 407 Proxy Authentication Required for {{ $labels.url }} from {{ $labels.instance }}. Schemes offered:',
          `{{- range ${schemes} | query | sortByLabel "scheme" }} {{ .Labels.scheme }}{{ end }}.`,
          `Remedy: ${REMEDIES.proxy_auth_required}`,
        ].join('\n'),
  };
}

export const endpointRules: AlertRule[] = [down(true), down(false), intermittent(), proxyAnswer(403), proxyAnswer(407)];
