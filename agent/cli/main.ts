#!/usr/bin/env node
// Flags, wiring and verbs only: run (the daemon), check (probe once), explain, logs.
import { parseArgs } from 'node:util';
import { Daemon } from '../run/daemon.js';
import { InputError } from '../errors.js';
import { runExplainCommand } from '../explain/explain.js';
import { explainEntries } from '../explain/entries.js';
import { takeConfigArg } from './args.js';
import { createLogger } from '../log.js';
import { loadConfig, parseListen } from '../config/config.js';
import { buildPlan } from '../plan/plan.js';
import { checkPassed, runCheck, runNamedChecks } from '../run/checks/registry.js';
import { checkJson, checkText } from '../report/check-report.js';
import { parseTenantValue } from '../probes/signin/facts.js';
import { startServer } from '../serve/server.js';
import { shutdownOn } from '../serve/shutdown.js';
import { loadWebConfig } from '../serve/webconfig.js';
import { VERSION } from '../version.js';

const USAGE = `entra-connect-monitor ${VERSION}: monitors Microsoft Entra Connect connectivity through your proxy.

Usage:
  entra-connect-monitor [run] [--config FILE] [--web.listen-address HOST:PORT] [--web.config.file FILE] [--log.level LEVEL]
        Run the agent: probe on the schedule and serve /metrics, /-/healthy, /-/ready, /-/reload, /.
  entra-connect-monitor check [--config FILE] [--json] [--idle] [--tenant DOMAIN|USER@DOMAIN|TENANT-ID]
        Probe every endpoint once and exit: 0 when every required endpoint answered, 1 otherwise.
        --idle also measures the proxy's idle timeout (takes minutes).
        --tenant (or tenant.domain in the configuration) also runs sign-in discovery (user realm, tenant, federation).
  entra-connect-monitor explain "ERROR TEXT" [--run] [--json] [--config FILE]
        What an error from the wizard or the article means, and the checks that test it (--run runs them).
  entra-connect-monitor logs FILE... [--format auto|squid|w3c|clf] [--json] [--required-idle SECONDS]
        Read a proxy access log the way the article's reference logs are read.

--web.config.file takes the exporter-toolkit web configuration (tls_server_config, basic_auth_users).
Without --config the embedded default configuration (config/agent.yaml) is used.
Exit codes: 0 ok, 1 a check failed, 2 bad input (the message names the file, the key and the problem).
`;

function fail(err: NodeJS.WritableStream, message: string): number {
  err.write(`entra-connect-monitor: ${message}\n`);
  return 2;
}

async function runDaemon(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      'web.listen-address': { type: 'string' },
      'log.level': { type: 'string' },
      'web.config.file': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig(values.config);
  const web = values['web.config.file'] === undefined ? undefined : await loadWebConfig(values['web.config.file']);
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const level = values['log.level'] ?? config.log.level;
  if (!levels.includes(level)) throw new InputError('--log.level', '', `must be one of ${levels.join(', ')}`);
  const listenText = values['web.listen-address'] ?? config.listen;
  const listen = parseListen(listenText);
  if (!listen) throw new InputError('--web.listen-address', '', `"${listenText}" must be HOST:PORT`);
  const logger = createLogger(level as never);
  const daemon = new Daemon({ configFile: values.config, logger });
  let server;
  try {
    server = await startServer(daemon, { host: listen.host, port: listen.port, tls: web?.tls, authorize: web?.authorize });
  } catch (err) {
    return fail(process.stderr, `cannot listen on ${listenText}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const address = server.address();
  logger.info({ listen: typeof address === 'object' && address ? `${address.address}:${address.port}` : listenText, version: VERSION, tls: Boolean(web?.tls), auth: Boolean(web?.spec.users.size) }, 'listening');
  const stopped = shutdownOn(['SIGTERM', 'SIGINT'], { daemon, server, logger });
  process.on('SIGHUP', () => void daemon.reload());
  await daemon.start();
  return stopped;
}

async function runCheckCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, idle: { type: 'boolean', default: false }, tenant: { type: 'string' } },
    strict: true,
  });
  const plan = buildPlan(loadConfig(values.config));
  const tenant = values.tenant ?? plan.config.tenant.domain;
  if (values.tenant !== undefined) {
    const parsed = parseTenantValue(values.tenant);
    if ('error' in parsed) throw new InputError('--tenant', '', parsed.error);
  }
  const { holdSeconds } = plan.config.idle;
  const outcome = await runCheck(plan, {
    idle: values.idle,
    tenant,
    onStep: (check) => {
      if (values.json) return;
      if (check === 'idle') err.write(`Measuring the proxy idle timeout: tunnels held silent for ${holdSeconds.join(', ')} s (this takes up to ${Math.max(...holdSeconds)} s)...\n`);
    },
    onIdleProgress: (e) => {
      if (values.json || e.state === 'open') return;
      const what = { closed: `closed by the proxy after ${e.elapsedSeconds.toFixed(1)} s of silence`, answered: 'answered after its hold', dropped: 'silently dropped (no answer after its hold)', failed: 'failed' }[e.state];
      err.write(`  ${e.route}: tunnel held ${e.holdSeconds} s ${what}\n`);
    },
  });
  if (values.idle && (outcome.idle ?? []).length === 0) err.write('entra-connect-monitor: --idle: no route goes through a reachable proxy, so there is no idle timeout to measure\n');
  out.write(values.json ? `${JSON.stringify(checkJson(outcome), null, 2)}\n` : checkText(outcome));
  return checkPassed(outcome) ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  try {
    switch (first) {
      case 'check':
        return await runCheckCommand(rest, process.stdout, process.stderr);
      case 'explain': {
        const { config, rest: explainArgs } = takeConfigArg(rest);
        // Only the cloud is read here (its catalogue names the hosts); the proxy environment matters to --run alone.
        const entries = explainEntries(loadConfig(config, {}).cloud);
        return await runExplainCommand(explainArgs, process.stdout, process.stderr, async (checks) => runNamedChecks(buildPlan(loadConfig(config)), checks), entries);
      }
      case 'logs': {
        const { runLogsCommand } = await import('../proxylog/command.js');
        return await runLogsCommand(rest, process.stdout, process.stderr, process.stdin);
      }
      case 'run':
        return await runDaemon(rest);
      default:
        if (first === undefined || first.startsWith('--')) return await runDaemon(argv);
        return fail(process.stderr, `unknown command "${first}" (try --help)`);
    }
  } catch (e) {
    if (e instanceof InputError) return fail(process.stderr, e.message);
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return fail(process.stderr, `${(e as Error).message} (try --help)`);
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Not a user's mistake: a bug. Let it show, with its stack, and fail.
    console.error(e);
    process.exitCode = 70;
  },
);
