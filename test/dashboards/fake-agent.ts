// A stand-in /metrics on loopback that exports the contract's series with a known, realistic state, so the
// dashboards' joins and the alert expressions can be evaluated by a real Prometheus against data, before the
// agent itself runs. Built with prom-client, as the agent is. Every scrape adds one probe per endpoint and route.
//
//   login            required  corp-proxy: 407 (NTLM, Negotiate)   direct: up
//   adminwebservice  required  corp-proxy: up                       direct: connect_failed
//   mscrl            optional  corp-proxy: 403                      direct: up
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const FAKE_STATE = {
  endpoints: [
    { endpoint: 'login', url: 'https://login.partner.microsoftonline.cn/', pattern: '*.partner.microsoftonline.cn', port: '443', category: 'authentication', cloud: 'china', required: 'true' },
    { endpoint: 'adminwebservice', url: 'https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc', pattern: '*.partner.microsoftonline.cn', port: '443', category: 'directory', cloud: 'china', required: 'true' },
    { endpoint: 'mscrl', url: 'http://mscrl.microsoft.com/', pattern: 'mscrl.microsoft.com', port: '80', category: 'certificate', cloud: 'china', required: 'false' },
  ],
  routes: ['corp-proxy', 'direct'],
  /** endpoint/route -> failure reason and proxy status; absent = success. */
  failures: {
    'login/corp-proxy': { reason: 'proxy_auth_required', proxyStatus: 407 },
    'adminwebservice/direct': { reason: 'connect_failed', proxyStatus: undefined },
    'mscrl/corp-proxy': { reason: 'proxy_denied', proxyStatus: 403 },
  } as Record<string, { reason: string; proxyStatus: number | undefined }>,
  idleCloseSeconds: { 'corp-proxy': 120 } as Record<string, number>,
  machineConfigProblems: { 'corp-proxy': 2, direct: 0 } as Record<string, number>,
};

export interface FakeAgent {
  target: string; // 127.0.0.1:port
  close(): Promise<void>;
}

export async function startFakeAgent(): Promise<FakeAgent> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const g = (name: string, labelNames: string[] = []) => new Gauge({ name, help: name, labelNames, registers: [registry] });
  const c = (name: string, labelNames: string[] = []) => new Counter({ name, help: name, labelNames, registers: [registry] });

  const endpointInfo = g('entra_connect_endpoint_info', ['endpoint', 'url', 'pattern', 'port', 'category', 'cloud', 'required']);
  const success = g('entra_connect_probe_success', ['endpoint', 'route']);
  const duration = g('entra_connect_probe_duration_seconds', ['endpoint', 'route']);
  const phase = g('entra_connect_probe_phase_duration_seconds', ['endpoint', 'route', 'phase']);
  const latency = new Histogram({ name: 'entra_connect_probe_latency_seconds', help: 'latency', labelNames: ['endpoint', 'route'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const probes = c('entra_connect_probes_total', ['endpoint', 'route']);
  const failures = c('entra_connect_probe_failures_total', ['endpoint', 'route', 'reason']);
  const failureReason = g('entra_connect_probe_failure_reason', ['endpoint', 'route', 'reason']);
  const httpStatus = g('entra_connect_probe_http_status_code', ['endpoint', 'route']);
  const proxyStatus = g('entra_connect_probe_proxy_status_code', ['endpoint', 'route']);
  const lastProbe = g('entra_connect_probe_last_run_timestamp_seconds', ['endpoint', 'route']);
  const tlsVersion = g('entra_connect_probe_tls_version_info', ['endpoint', 'route', 'version']);
  const certExpiry = g('entra_connect_probe_tls_cert_expiry_timestamp_seconds', ['endpoint', 'route']);
  const authScheme = g('entra_connect_probe_proxy_auth_scheme_info', ['endpoint', 'route', 'scheme']);
  const disturbed = g('entra_connect_probe_timing_disturbed', ['endpoint', 'route']);
  const idleSurvived = g('entra_connect_proxy_idle_survived', ['route', 'hold_seconds']);
  const idleClose = g('entra_connect_proxy_idle_close_seconds', ['route']);
  const idleRequired = g('entra_connect_proxy_idle_required_seconds');
  const idleRuns = c('entra_connect_proxy_idle_runs_total', ['route', 'result']);
  const idleLast = g('entra_connect_proxy_idle_last_run_timestamp_seconds', ['route']);
  const idleSilent = g('entra_connect_proxy_idle_silent_drop', ['route']);
  const buildInfo = g('entra_connect_build_info', ['version', 'node_version']);
  const reloadOk = g('entra_connect_config_last_reload_successful');
  const reloadTs = g('entra_connect_config_last_reload_success_timestamp_seconds');
  const signin = g('entra_connect_signin_discovery_success', ['route', 'domain']);
  const tenant = g('entra_connect_tenant_found', ['route', 'domain']);
  const realmInfo = g('entra_connect_signin_realm_info', ['route', 'domain', 'namespace_type', 'cloud_instance']);
  const signinStep = g('entra_connect_signin_step_duration_seconds', ['route', 'domain', 'step']);
  const signinFinding = g('entra_connect_signin_finding', ['route', 'domain', 'code']);
  const runDuration = g('entra_connect_run_duration_seconds');
  const lastRun = g('entra_connect_last_run_timestamp_seconds');
  const runs = c('entra_connect_runs_total', ['result']);
  const skipped = c('entra_connect_runs_skipped_total');
  const mcInfo = g('entra_connect_machine_config_info', ['route', 'path', 'proxy_address', 'use_default_credentials', 'bypass_on_local']);
  const mcProblems = g('entra_connect_machine_config_problems', ['route']);

  const PHASES = ['dns', 'connect', 'proxy_connect', 'proxy_auth', 'tls', 'request', 'transfer'];
  buildInfo.set({ version: '0.1.0', node_version: process.version }, 1);
  reloadOk.set(1);
  reloadTs.set(Date.now() / 1000);
  idleRequired.set(300);
  skipped.inc(0);
  for (const e of FAKE_STATE.endpoints) endpointInfo.set(e, 1);
  for (const route of FAKE_STATE.routes) {
    signin.set({ route, domain: 'contoso.partner.onmschina.cn' }, 1);
    tenant.set({ route, domain: 'contoso.partner.onmschina.cn' }, 1);
    realmInfo.set({ route, domain: 'contoso.partner.onmschina.cn', namespace_type: 'Managed', cloud_instance: 'partner.microsoftonline.cn' }, 1);
    for (const step of ['realm', 'tenant']) signinStep.set({ route, domain: 'contoso.partner.onmschina.cn', step }, 0.12);
    signinFinding.set({ route, domain: 'contoso.partner.onmschina.cn', code: 'unknown_user_type' }, 0);
    mcInfo.set({ route, path: 'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config', proxy_address: route === 'direct' ? '' : 'http://fabrikamproxy:8080', use_default_credentials: 'true', bypass_on_local: 'false' }, 1);
    mcProblems.set({ route }, FAKE_STATE.machineConfigProblems[route] ?? 0);
    idleLast.set({ route }, Date.now() / 1000);
    idleSilent.set({ route }, 0);
    const close = FAKE_STATE.idleCloseSeconds[route];
    if (close !== undefined) {
      idleClose.set({ route }, close);
      idleSurvived.set({ route, hold_seconds: '310' }, 0);
      idleRuns.inc({ route, result: 'fail' });
    } else {
      idleSurvived.set({ route, hold_seconds: '310' }, 1);
      idleRuns.inc({ route, result: 'pass' });
    }
  }

  function probeOnce(): void {
    const now = Date.now() / 1000;
    for (const { endpoint } of FAKE_STATE.endpoints) {
      for (const route of FAKE_STATE.routes) {
        const labels = { endpoint, route };
        const failure = FAKE_STATE.failures[`${endpoint}/${route}`];
        probes.inc(labels);
        lastProbe.set(labels, now);
        disturbed.set(labels, 0);
        success.set(labels, failure ? 0 : 1);
        for (const reason of ['proxy_auth_required', 'proxy_denied', 'connect_failed', 'timeout']) {
          failures.inc({ ...labels, reason }, failure?.reason === reason ? 1 : 0);
          failureReason.set({ ...labels, reason }, failure?.reason === reason ? 1 : 0);
        }
        const total = failure ? 0.04 : 0.2 + Math.random() * 0.1;
        duration.set(labels, total);
        latency.observe(labels, total);
        for (const p of PHASES) phase.set({ ...labels, phase: p }, total / PHASES.length);
        if (route !== 'direct') proxyStatus.set(labels, failure?.proxyStatus ?? 200);
        if (!failure) {
          httpStatus.set(labels, 200);
          tlsVersion.set({ ...labels, version: 'TLSv1.3' }, 1);
          certExpiry.set(labels, now + 90 * 86400);
        }
        if (failure?.proxyStatus === 407) {
          authScheme.set({ ...labels, scheme: 'NTLM' }, 1);
          authScheme.set({ ...labels, scheme: 'Negotiate' }, 1);
        }
      }
    }
    runs.inc({ result: 'complete' });
    runDuration.set(0.9);
    lastRun.set(now);
  }

  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    probeOnce();
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    target: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
