// Building blocks of the promtool rule tests: typed test groups, input series of one agent, and the catalogue
// facts of the endpoints the cases use. One sample a minute; "1x9" is ten samples of 1, "0+1x100" a counter.
import { M } from '../../metrics.js';
import { THRESHOLDS } from '../../thresholds.js';

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: { summary: string; description: string };
}

export interface AlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

export interface TestGroup {
  /** Said above the group in the file: what the case shows. */
  comment: string;
  input_series: InputSeries[];
  alert_rule_test: AlertCase[];
}

const JOB = THRESHOLDS.agentJob;
export const INSTANCE = 'sync01:9815';
export const AGENT = { job: JOB, instance: INSTANCE } as const;

/** Minutes from the start of a test as an eval_time. */
export const at = (minutes: number) => `${minutes}m`;
export const minutes = (seconds: number) => seconds / 60;

const promqlString = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** A series of the agent on `instance` (sync01 unless given), labels in the order given. */
export function series(metric: string, labels: Record<string, string>, values: string, instance = INSTANCE): InputSeries {
  const all = { job: JOB, instance, ...labels };
  return { series: `${metric}{${Object.entries(all).map(([k, v]) => `${k}="${promqlString(v)}"`).join(',')}}`, values };
}

export interface EndpointFixture {
  endpoint: string;
  url: string;
  pattern: string;
  port: string;
  category: string;
  cloud: string;
  required: 'true' | 'false';
}

const china = (endpoint: string, url: string, pattern: string, category: string, required: 'true' | 'false', port = '443'): EndpointFixture => ({ endpoint, url, pattern, port, category, cloud: 'china', required });

export const ENDPOINTS = {
  login: china('login', 'https://login.partner.microsoftonline.cn/', '*.partner.microsoftonline.cn', 'authentication', 'true'),
  provisioningapi: china('provisioningapi', 'https://provisioningapi.partner.microsoftonline.cn/provisioningwebservice.svc', '*.partner.microsoftonline.cn', 'directory', 'true'),
  adminwebservice: china('adminwebservice', 'https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc', '*.partner.microsoftonline.cn', 'directory', 'true'),
  mfa: china('mfa-aadcdn', 'https://secure.aadcdn.partner.microsoftonline-p.cn/', 'secure.aadcdn.partner.microsoftonline-p.cn', 'mfa', 'true'),
  mscrl: china('mscrl', 'http://mscrl.microsoft.com/', 'mscrl.microsoft.com', 'certificate', 'false', '80'),
} satisfies Record<string, EndpointFixture>;

/** entra_connect_endpoint_info of an endpoint, present for `samples` minutes. */
export function endpointInfo(e: EndpointFixture, samples: number): InputSeries {
  const { endpoint, url, pattern, port, category, cloud, required } = e;
  return series(M.endpointInfo, { endpoint, url, pattern, port, category, cloud, required }, `1x${samples}`);
}

/** The labels an endpoint alert carries: the target's plus the catalogue facts the rule joins in. */
export function endpointAlertLabels(severity: string, e: EndpointFixture, route: string, extra: (keyof EndpointFixture)[] = []): Record<string, string> {
  return { severity, ...AGENT, endpoint: e.endpoint, route, category: e.category, url: e.url, ...Object.fromEntries(extra.map((k) => [k, e[k]])) };
}

/** A case where the alert must stay quiet, and one where it fires with `alerts`. */
export const quiet = (minute: number, alertname: string): AlertCase => ({ eval_time: at(minute), alertname, exp_alerts: [] });
export const fires = (minute: number, alertname: string, ...alerts: ExpectedAlert[]): AlertCase => ({ eval_time: at(minute), alertname, exp_alerts: alerts });
export const expected = (labels: Record<string, string>, summary: string, description: string): ExpectedAlert => ({ exp_labels: labels, exp_annotations: { summary, description } });

/** The pair of cases around a `for`: quiet the minute before onset + for, firing at it. */
export function aroundFor(onset: number, forSeconds: number, alertname: string, ...alerts: ExpectedAlert[]): AlertCase[] {
  const firing = onset + minutes(forSeconds);
  return [quiet(firing - 1, alertname), fires(firing, alertname, ...alerts)];
}
