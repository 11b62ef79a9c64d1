// The metric contract the dashboards and alerts may read: DESIGN.md's table, the metrics added to it since
// (TLS facts, proxy auth schemes, timing disturbance, run bookkeeping, proxy idle runs, machine.config,
// `required` on endpoint_info), prom-client's default process metrics, and Prometheus' own `up`.
// Data, so a later test can compare it with a live /metrics scrape of the agent.

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface ContractMetric {
  name: string;
  type: MetricType;
  labels: readonly string[];
  source: 'agent' | 'prom-client default' | 'prometheus';
}

const agent = (name: string, type: MetricType, labels: readonly string[]): ContractMetric => ({ name, type, labels, source: 'agent' });

export const CONTRACT: readonly ContractMetric[] = [
  // DESIGN.md
  agent('entra_connect_endpoint_info', 'gauge', ['endpoint', 'url', 'pattern', 'port', 'category', 'cloud', 'required']),
  agent('entra_connect_probe_success', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_probe_duration_seconds', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_probe_phase_duration_seconds', 'gauge', ['endpoint', 'route', 'phase']),
  agent('entra_connect_probe_latency_seconds', 'histogram', ['endpoint', 'route']),
  agent('entra_connect_probes_total', 'counter', ['endpoint', 'route']),
  agent('entra_connect_probe_failures_total', 'counter', ['endpoint', 'route', 'reason']),
  agent('entra_connect_probe_failure_reason', 'gauge', ['endpoint', 'route', 'reason']),
  agent('entra_connect_probe_http_status_code', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_probe_proxy_status_code', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_probe_last_run_timestamp_seconds', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_proxy_idle_survived', 'gauge', ['route', 'hold_seconds']),
  agent('entra_connect_proxy_idle_close_seconds', 'gauge', ['route']),
  agent('entra_connect_proxy_idle_required_seconds', 'gauge', []),
  agent('entra_connect_build_info', 'gauge', ['version', 'node_version']),
  agent('entra_connect_config_last_reload_successful', 'gauge', []),
  agent('entra_connect_config_last_reload_success_timestamp_seconds', 'gauge', []),
  agent('entra_connect_signin_discovery_success', 'gauge', ['route', 'domain']),
  agent('entra_connect_signin_realm_info', 'gauge', ['route', 'domain', 'namespace_type', 'cloud_instance']),
  agent('entra_connect_tenant_found', 'gauge', ['route', 'domain']),
  agent('entra_connect_signin_step_duration_seconds', 'gauge', ['route', 'domain', 'step']),
  // Added to the contract with the dashboards (issue 5).
  agent('entra_connect_probe_tls_version_info', 'gauge', ['endpoint', 'route', 'version']),
  agent('entra_connect_probe_tls_cert_expiry_timestamp_seconds', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_probe_proxy_auth_scheme_info', 'gauge', ['endpoint', 'route', 'scheme']),
  agent('entra_connect_probe_timing_disturbed', 'gauge', ['endpoint', 'route']),
  agent('entra_connect_run_duration_seconds', 'gauge', []),
  agent('entra_connect_last_run_timestamp_seconds', 'gauge', []),
  agent('entra_connect_runs_total', 'counter', ['result']),
  agent('entra_connect_runs_skipped_total', 'counter', []),
  agent('entra_connect_proxy_idle_runs_total', 'counter', ['route', 'result']),
  agent('entra_connect_proxy_idle_last_run_timestamp_seconds', 'gauge', ['route']),
  agent('entra_connect_proxy_idle_silent_drop', 'gauge', ['route']),
  agent('entra_connect_machine_config_info', 'gauge', ['route', 'path', 'proxy_address', 'use_default_credentials', 'bypass_on_local']),
  agent('entra_connect_machine_config_problems', 'gauge', ['route']),
  // Added with sign-in discovery (issue 8).
  agent('entra_connect_signin_finding', 'gauge', ['route', 'domain', 'code']),
  agent('entra_connect_signin_last_run_timestamp_seconds', 'gauge', ['route', 'domain']),
  // prom-client collectDefaultMetrics() (the ones the dashboards read; a test checks prom-client still has them).
  { name: 'process_cpu_seconds_total', type: 'counter', labels: [], source: 'prom-client default' },
  { name: 'process_resident_memory_bytes', type: 'gauge', labels: [], source: 'prom-client default' },
  { name: 'process_start_time_seconds', type: 'gauge', labels: [], source: 'prom-client default' },
  { name: 'nodejs_eventloop_lag_seconds', type: 'gauge', labels: [], source: 'prom-client default' },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge', labels: [], source: 'prom-client default' },
  // Written by Prometheus for every scrape target.
  { name: 'up', type: 'gauge', labels: [], source: 'prometheus' },
];

/** Every series name the contract allows a query to use: histograms expand to _bucket, _sum and _count. */
export function contractSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const m of CONTRACT) {
    if (m.type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
    else names.add(m.name);
  }
  return names;
}
