// Prometheus alerting rules as typed data, the joins every endpoint rule shares, and the YAML they become.
import { Document, isMap, isSeq } from 'yaml';
import { FAILURE_REASONS, REMEDIES } from '../../../agent/probes/classify.js';
import { M } from '../metrics.js';
import { duration } from '../thresholds.js';

export interface AlertRule {
  alert: string;
  expr: string;
  /** Seconds the expression must hold before the alert fires; none: at once. */
  forSeconds?: number;
  severity: 'critical' | 'warning';
  summary: string;
  /** Ends with the line "Remedy: ...". */
  description: string;
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/**
 * Joins a per-endpoint expression with the endpoint's catalogue facts, keeping job and instance so that two agents
 * alert separately; endpoint_info is one series per endpoint and agent, so group_left is safe.
 */
export function withEndpointInfo(left: string, labels: string[], required: 'true' | 'false'): string {
  const list = labels.join(', ');
  return `${left}\n* on (job, instance, endpoint) group_left (${list})\n  max by (job, instance, endpoint, ${list}) (${M.endpointInfo}{required="${required}"})`;
}

/** A Go-template query for the series of one alert's endpoint and route: `printf "<metric>{job=%q,...}<suffix>" ...`. */
export function perTarget(selector: string, labels: string[], suffix = ''): string {
  const matchers = labels.map((l) => `${l}=%q`).join(',');
  return `printf "${selector}{${matchers}}${suffix}" ${labels.map((l) => `$labels.${l}`).join(' ')}`;
}

/**
 * The remedy of the current failure reason of the alert's endpoint and route, as a Go template over the agent's
 * REMEDIES: the same words as the agent's own output and the dashboards' failure tables.
 */
export function currentReasonRemedy(): string {
  const branches = FAILURE_REASONS.map((reason, i) => `{{- ${i === 0 ? 'if' : 'else if'} eq .Labels.reason "${reason}" }} ${REMEDIES[reason]}`);
  return [
    `{{- range ${perTarget(M.failureReason, ['job', 'instance', 'endpoint', 'route'], ' == 1')} | query }}`,
    'Reason: {{ .Labels.reason }}. Remedy:',
    ...branches,
    '{{- else }} See the Entra Connect overview dashboard for the probe detail.',
    '{{- end }}',
    '{{- end }}',
  ].join('\n');
}

function ruleNode(r: AlertRule): Record<string, unknown> {
  return {
    alert: r.alert,
    expr: `${r.expr}\n`,
    ...(r.forSeconds === undefined ? {} : { for: duration(r.forSeconds) }),
    labels: { severity: r.severity },
    annotations: { summary: r.summary, description: r.description },
  };
}

/** The rule file: the header comment, then the groups, a blank line between rules. */
export function rulesYaml(header: string, groups: RuleGroup[]): string {
  const doc = new Document({ groups: groups.map((g) => ({ name: g.name, rules: g.rules.map(ruleNode) })) });
  doc.commentBefore = header;
  const groupSeq = doc.get('groups');
  if (isSeq(groupSeq)) {
    groupSeq.items.forEach((g, gi) => {
      if (gi > 0 && isMap(g)) g.spaceBefore = true;
      const rules = isMap(g) ? g.get('rules') : undefined;
      if (isSeq(rules)) rules.items.forEach((r, ri) => { if (ri > 0 && isMap(r)) r.spaceBefore = true; });
    });
  }
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}
