// The checks `explain --run` names (agent/explain.ts CHECK_NAMES), run once with the current configuration:
// the same probes as `check`, one verdict line per check.
import { loadConfig } from '../config/config.js';
import type { CheckRunner } from '../explain/explain.js';
import { CONNECTIVITY_TEST_ENDPOINT, proxyReachable as proxyReachableOverTcp } from './check.js';
import { buildPlan, type Plan, type ProbeTarget } from '../plan/plan.js';
import { discoverSignInForPlan } from '../probes/signin/probe.js';
import type { ProbeResult } from '../probes/http/result.js';
import { runProbes } from './runner.js';

export interface Verdict {
  check: string;
  ok: boolean;
  summary: string;
}


function probeSummary(results: ProbeResult[]): Verdict['summary'] {
  const failed = results.filter((r) => !r.success);
  if (failed.length === 0) return `${results.length} probe${results.length === 1 ? '' : 's'} answered (${results.map((r) => `${r.endpoint} via ${r.route}`).slice(0, 4).join(', ')}${results.length > 4 ? ', ...' : ''})`;
  return failed
    .slice(0, 4)
    .map((r) => `${r.endpoint} via ${r.route}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}`)
    .join('; ')
    .concat(failed.length > 4 ? `; and ${failed.length - 4} more` : '');
}

async function probeTargets(plan: Plan, check: string, targets: ProbeTarget[], what: string): Promise<Verdict> {
  if (targets.length === 0) return { check, ok: false, summary: `${what} is not in the plan (excluded or unknown in the ${plan.config.cloud} catalogue)` };
  const results = await runProbes(targets, plan.settings, { concurrency: plan.config.probes.concurrency });
  return { check, ok: results.every((r) => r.success || !r.required), summary: probeSummary(results) };
}

async function proxyReachable(plan: Plan): Promise<Verdict> {
  const check = 'proxy_reachable';
  const proxied = plan.routes.filter((r) => r.proxy);
  if (proxied.length === 0) return { check, ok: true, summary: 'no route goes through a proxy (nothing to reach)' };
  const verdicts = await Promise.all(
    proxied.map(async (r) => ({ route: r, got: await proxyReachableOverTcp(r, plan.settings) })),
  );
  const ok = verdicts.every((v) => v.got.ok);
  return {
    check,
    ok,
    summary: verdicts.map((v) => `${v.route.name} (${v.route.proxyUrl}): ${v.got.ok ? 'reachable' : `cannot be reached (${v.got.code})`}`).join('; '),
  };
}

function machineConfig(plan: Plan): Verdict {
  const check = 'machine_config';
  const routes = plan.routes.filter((r) => r.machineConfig);
  if (routes.length === 0) return { check, ok: true, summary: 'no route reads machine.config (set routes[].machineConfig to check one)' };
  const parts: string[] = [];
  let ok = true;
  for (const route of routes) {
    const { path, findings } = route.machineConfig!;
    if (findings.some((f) => f.severity === 'error')) ok = false;
    parts.push(findings.length === 0 ? `${path}: no problems` : `${path}: ${findings.map((f) => `${f.severity} ${f.code}`).join(', ')}`);
  }
  return { check, ok, summary: parts.join('; ') };
}

async function signInDiscovery(plan: Plan): Promise<Verdict> {
  const check = 'signin_discovery';
  const tenant = plan.config.tenant.domain;
  if (!tenant) return { check, ok: false, summary: 'not run: no tenant configured; set tenant.domain in the configuration, or run `entra-connect-monitor check --tenant DOMAIN`' };
  const results = await discoverSignInForPlan(plan, tenant);
  const ok = results.every((r) => r.findings.every((f) => f.severity !== 'error'));
  const summary = results
    .map((r) => `${r.domain} via ${r.route}: ${r.findings.length > 0 ? r.findings.map((f) => f.code).join(', ') : `${r.namespaceType ?? 'answered'}${r.tenantFound ? ', tenant found' : ''}`}`)
    .join('; ');
  return { check, ok, summary };
}

/** One verdict per check name; an unknown name gets a failed verdict saying so. */
export async function runNamedChecks(plan: Plan, checks: string[]): Promise<Verdict[]> {
  const run = async (check: string): Promise<Verdict> => {
    switch (check) {
      case 'machine_config':
        return machineConfig(plan);
      case 'proxy_reachable':
        return proxyReachable(plan);
      case 'connectivity_test':
        return probeTargets(plan, check, plan.targets.filter((t) => t.endpoint.id === CONNECTIVITY_TEST_ENDPOINT), `the ${CONNECTIVITY_TEST_ENDPOINT} endpoint`);
      case 'endpoints':
        return probeTargets(plan, check, plan.targets, 'no endpoint');
      case 'idle':
        return { check, ok: false, summary: 'not run here: measuring the proxy idle timeout takes minutes; run `entra-connect-monitor check --idle`' };
      case 'signin_discovery':
        return signInDiscovery(plan);
      default: {
        const id = /^endpoint:(.+)$/.exec(check)?.[1];
        if (id) return probeTargets(plan, check, plan.targets.filter((t) => t.endpoint.id === id), `the endpoint ${id}`);
        return { check, ok: false, summary: `unknown check "${check}"` };
      }
    }
  };
  return Promise.all(checks.map((c) => run(c).catch((err: unknown) => ({ check: c, ok: false, summary: `could not run: ${(err as Error).message.split('\n')[0]}` }))));
}

/** A CheckRunner that loads the configuration (the embedded default, or `configFile`) when the checks run. */
export function checkRunner(configFile?: string, env: NodeJS.ProcessEnv = process.env): CheckRunner {
  return async (checks) => runNamedChecks(buildPlan(loadConfig(configFile, env), env), checks);
}

/** Takes `--config FILE` (or `--config=FILE`) out of explain's arguments. */
export function takeConfigArg(argv: string[]): { config?: string; rest: string[] } {
  const rest: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config' && i + 1 < argv.length) config = argv[++i];
    else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else rest.push(a);
  }
  return { config, rest };
}
