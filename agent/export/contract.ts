// The metric contract: every series the agent exports, named once. metrics.ts builds its prom-client metrics from
// it, the dashboard and alert generator (dashboards/src/) writes its queries with these names, and the tests read
// it to check both. Label values stay closed sets or configuration; the label *names* are fixed here.

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
}

const TARGET = ['endpoint', 'route'] as const;

/** The agent's own metrics, keyed by the name metrics.ts uses for each. */
export const METRICS = {
  endpointInfo: {
    name: 'entra_connect_endpoint_info',
    type: 'gauge',
    help: 'Catalogue facts of each probed endpoint (always 1).',
    labelNames: ['endpoint', 'url', 'pattern', 'port', 'category', 'cloud', 'required'],
  },
  success: {
    name: 'entra_connect_probe_success',
    type: 'gauge',
    help: 'Whether the last probe of the endpoint over the route succeeded (1) or not (0).',
    labelNames: TARGET,
  },
  duration: {
    name: 'entra_connect_probe_duration_seconds',
    type: 'gauge',
    help: 'Total duration of the last probe.',
    labelNames: TARGET,
  },
  phase: {
    name: 'entra_connect_probe_phase_duration_seconds',
    type: 'gauge',
    help: 'Duration of each phase of the last probe (dns, connect, proxy_connect, proxy_auth, tls, request, transfer); they sum to the probe duration. proxy_auth: proxy authentication round trips up to the request that went through.',
    labelNames: [...TARGET, 'phase'],
  },
  latency: {
    name: 'entra_connect_probe_latency_seconds',
    type: 'histogram',
    help: 'Total probe durations.',
    labelNames: TARGET,
  },
  probes: {
    name: 'entra_connect_probes_total',
    type: 'counter',
    help: 'Probes run.',
    labelNames: TARGET,
  },
  failures: {
    name: 'entra_connect_probe_failures_total',
    type: 'counter',
    help: 'Failed probes by reason.',
    labelNames: [...TARGET, 'reason'],
  },
  failureReason: {
    name: 'entra_connect_probe_failure_reason',
    type: 'gauge',
    help: 'The reason of the last probe\'s failure (1); no series while the probe succeeds.',
    labelNames: [...TARGET, 'reason'],
  },
  httpStatus: {
    name: 'entra_connect_probe_http_status_code',
    type: 'gauge',
    help: 'The endpoint\'s HTTP status in the last probe (0: no answer from the endpoint).',
    labelNames: TARGET,
  },
  proxyStatus: {
    name: 'entra_connect_probe_proxy_status_code',
    type: 'gauge',
    help: 'The proxy\'s status to CONNECT (or its own answer to a GET) in the last probe (0: none).',
    labelNames: TARGET,
  },
  lastRun: {
    name: 'entra_connect_probe_last_run_timestamp_seconds',
    type: 'gauge',
    help: 'When the last probe of the endpoint over the route started.',
    labelNames: TARGET,
  },
  tlsVersion: {
    name: 'entra_connect_probe_tls_version_info',
    type: 'gauge',
    help: 'TLS version negotiated in the last probe (1).',
    labelNames: [...TARGET, 'version'],
  },
  certExpiry: {
    name: 'entra_connect_probe_tls_cert_expiry_timestamp_seconds',
    type: 'gauge',
    help: 'notAfter of the certificate the endpoint sent (the leaf), last probe.',
    labelNames: TARGET,
  },
  earliestExpiry: {
    name: 'entra_connect_probe_tls_earliest_cert_expiry_timestamp_seconds',
    type: 'gauge',
    help: 'Earliest notAfter in the certificate chain the endpoint sent, last probe.',
    labelNames: TARGET,
  },
  tlsCipher: {
    name: 'entra_connect_probe_tls_cipher_info',
    type: 'gauge',
    help: 'TLS cipher negotiated in the last probe (1; other: not in the client\'s list).',
    labelNames: [...TARGET, 'cipher'],
  },
  tlsRoot: {
    name: 'entra_connect_probe_tls_root_info',
    type: 'gauge',
    help: 'The root the endpoint\'s chain ended at in the last probe (1): the catalogue\'s root id, or other (TLS inspection).',
    labelNames: [...TARGET, 'root'],
  },
  authScheme: {
    name: 'entra_connect_probe_proxy_auth_scheme_info',
    type: 'gauge',
    help: 'Authentication schemes the proxy offered with its last 407 (1).',
    labelNames: [...TARGET, 'scheme'],
  },
  disturbed: {
    name: 'entra_connect_probe_timing_disturbed',
    type: 'gauge',
    help: 'Whether event-loop lag during the last probe was high enough to inflate its timings (1) or not (0).',
    labelNames: TARGET,
  },
  runDuration: {
    name: 'entra_connect_run_duration_seconds',
    type: 'gauge',
    help: 'Wall time of the last complete probe run.',
    labelNames: [],
  },
  runLast: {
    name: 'entra_connect_last_run_timestamp_seconds',
    type: 'gauge',
    help: 'When the last complete probe run ended.',
    labelNames: [],
  },
  runs: {
    name: 'entra_connect_runs_total',
    type: 'counter',
    help: 'Probe runs by result.',
    labelNames: ['result'],
  },
  runsSkipped: {
    name: 'entra_connect_runs_skipped_total',
    type: 'counter',
    help: 'Scheduled runs skipped because the previous run was still going.',
    labelNames: [],
  },
  idleSurvived: {
    name: 'entra_connect_proxy_idle_survived',
    type: 'gauge',
    help: 'Whether a tunnel held silent for hold_seconds still answered (1) or not (0), last idle cycle.',
    labelNames: ['route', 'hold_seconds'],
  },
  idleClose: {
    name: 'entra_connect_proxy_idle_close_seconds',
    type: 'gauge',
    help: 'Silence after which the proxy closed an idle tunnel (its idle timeout, measured), last idle cycle.',
    labelNames: ['route'],
  },
  idleRequired: {
    name: 'entra_connect_proxy_idle_required_seconds',
    type: 'gauge',
    help: 'How long an idle tunnel must survive to pass (the prerequisites: at least 6 minutes).',
    labelNames: [],
  },
  idleMinimum: {
    name: 'entra_connect_proxy_idle_minimum_seconds',
    type: 'gauge',
    help: 'How long an idle tunnel must survive not to fail (the article: more than 5 minutes); between this and the requirement the verdict is warn.',
    labelNames: [],
  },
  idleVerdict: {
    name: 'entra_connect_proxy_idle_verdict',
    type: 'gauge',
    help: 'Verdict of the last idle-timeout cycle: 2 pass, 1 warn, 0 fail.',
    labelNames: ['route'],
  },
  idleRuns: {
    name: 'entra_connect_proxy_idle_runs_total',
    type: 'counter',
    help: 'Idle-timeout cycles by result.',
    labelNames: ['route', 'result'],
  },
  idleLast: {
    name: 'entra_connect_proxy_idle_last_run_timestamp_seconds',
    type: 'gauge',
    help: 'When the last idle-timeout cycle ended.',
    labelNames: ['route'],
  },
  idleSilentDrop: {
    name: 'entra_connect_proxy_idle_silent_drop',
    type: 'gauge',
    help: 'Whether the proxy dropped an idle tunnel without closing it (1) in the last cycle.',
    labelNames: ['route'],
  },
  machineConfigInfo: {
    name: 'entra_connect_machine_config_info',
    type: 'gauge',
    help: 'The proxy settings a route reads from machine.config (1).',
    labelNames: ['route', 'path', 'proxy_address', 'use_default_credentials', 'bypass_on_local'],
  },
  machineConfigProblems: {
    name: 'entra_connect_machine_config_problems',
    type: 'gauge',
    help: 'Problems (errors and warnings) found in the machine.config a route reads.',
    labelNames: ['route'],
  },
  signInSuccess: {
    name: 'entra_connect_signin_discovery_success',
    type: 'gauge',
    help: 'Whether the login service answered the last user realm discovery for the domain over the route (1) or not (0).',
    labelNames: ['route', 'domain'],
  },
  signInRealm: {
    name: 'entra_connect_signin_realm_info',
    type: 'gauge',
    help: 'What the last user realm discovery said about the domain (1): namespace_type Managed|Federated|Unknown|other, cloud_instance.',
    labelNames: ['route', 'domain', 'namespace_type', 'cloud_instance'],
  },
  tenantFound: {
    name: 'entra_connect_tenant_found',
    type: 'gauge',
    help: 'Whether the tenant\'s OpenID configuration exists (1) or the login service said AADSTS90002 (0), last discovery.',
    labelNames: ['route', 'domain'],
  },
  signInStep: {
    name: 'entra_connect_signin_step_duration_seconds',
    type: 'gauge',
    help: 'Duration of each step of the last sign-in discovery (realm, tenant, federation, other_cloud).',
    labelNames: ['route', 'domain', 'step'],
  },
  signInFinding: {
    name: 'entra_connect_signin_finding',
    type: 'gauge',
    help: 'Findings of the last sign-in discovery: 1 for each current finding code, 0 for the others.',
    labelNames: ['route', 'domain', 'code'],
  },
  signInLast: {
    name: 'entra_connect_signin_last_run_timestamp_seconds',
    type: 'gauge',
    help: 'When the last sign-in discovery for the domain over the route started.',
    labelNames: ['route', 'domain'],
  },
  routeInfo: {
    name: 'entra_connect_route_info',
    type: 'gauge',
    help: 'Each route (1): kind direct|proxy|machine_config|winhttp, and the route its revocation checks (CRL, OCSP) take.',
    labelNames: ['route', 'kind', 'revocation'],
  },
  hostInfo: {
    name: 'entra_connect_host_info',
    type: 'gauge',
    help: 'The Entra Connect server read from its registry (1): os_version (server_2016..server_2025, server_older, client, unknown), sync_version (dotted, none, unknown), dotnet_release (.NET Framework 4.x Release, none).',
    labelNames: ['os_version', 'sync_version', 'dotnet_release'],
  },
  hostFinding: {
    name: 'entra_connect_host_finding',
    type: 'gauge',
    help: 'Findings about the Entra Connect server: 1 for each current finding code, 0 for the others.',
    labelNames: ['code'],
  },
  revocationSuccess: {
    name: 'entra_connect_revocation_probe_success',
    type: 'gauge',
    help: 'Whether every CRL (type crl) or OCSP responder (type ocsp) that the served chains name under the catalogue row answered over the revocation route in the last revocation run (1) or not (0).',
    labelNames: [...TARGET, 'type'],
  },
  revocationDuration: {
    name: 'entra_connect_revocation_probe_duration_seconds',
    type: 'gauge',
    help: 'The slowest fetch of those URLs in the last revocation run.',
    labelNames: [...TARGET, 'type'],
  },
  revocationUrls: {
    name: 'entra_connect_revocation_urls',
    type: 'gauge',
    help: 'How many distinct URLs of the type the served chains name under the catalogue row.',
    labelNames: [...TARGET, 'type'],
  },
  revocationProbes: {
    name: 'entra_connect_revocation_probes_total',
    type: 'counter',
    help: 'Revocation fetches made (one per URL per run).',
    labelNames: [...TARGET, 'type'],
  },
  revocationFailures: {
    name: 'entra_connect_revocation_probe_failures_total',
    type: 'counter',
    help: 'Revocation fetches that failed, by failure reason.',
    labelNames: [...TARGET, 'type', 'reason'],
  },
  revocationUncovered: {
    name: 'entra_connect_revocation_uncovered_hosts',
    type: 'gauge',
    help: 'Revocation hosts named by served chains that no catalogue row covers (each a revocation_host_not_in_catalogue finding).',
    labelNames: [],
  },
  buildInfo: {
    name: 'entra_connect_build_info',
    type: 'gauge',
    help: 'Agent version (1).',
    labelNames: ['version', 'node_version'],
  },
  reloadOk: {
    name: 'entra_connect_config_last_reload_successful',
    type: 'gauge',
    help: 'Whether the last configuration (re)load succeeded.',
    labelNames: [],
  },
  reloadTime: {
    name: 'entra_connect_config_last_reload_success_timestamp_seconds',
    type: 'gauge',
    help: 'When the configuration was last loaded successfully.',
    labelNames: [],
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * prom-client's default process metrics (collectDefaultMetrics) that the dashboards read; the agent exports more
 * of them, these are the ones others may rely on. A test checks prom-client still exports each.
 */
export const DEFAULT_METRICS = {
  processCpu: { name: 'process_cpu_seconds_total', type: 'counter', help: 'Total user and system CPU time spent in seconds.', labelNames: [] },
  residentMemory: { name: 'process_resident_memory_bytes', type: 'gauge', help: 'Resident memory size in bytes.', labelNames: [] },
  startTime: { name: 'process_start_time_seconds', type: 'gauge', help: 'Start time of the process since unix epoch in seconds.', labelNames: [] },
  eventLoopLag: { name: 'nodejs_eventloop_lag_seconds', type: 'gauge', help: 'Lag of event loop in seconds.', labelNames: [] },
  heapUsed: { name: 'nodejs_heap_size_used_bytes', type: 'gauge', help: 'Process heap size used from Node.js in bytes.', labelNames: [] },
} as const satisfies Record<string, MetricDefinition>;

/** Every series name a query may use for the given metrics: a histogram's are its _bucket, _sum and _count. */
export function seriesNames(metrics: Iterable<MetricDefinition>): string[] {
  const names: string[] = [];
  for (const m of metrics) {
    if (m.type === 'histogram') names.push(`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`);
    else names.push(m.name);
  }
  return names;
}
