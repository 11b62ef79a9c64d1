#!/usr/bin/env node
// Flags, wiring and verbs only: run (the daemon), check (probe once), explain, logs.
import { parseArgs } from 'node:util';
import { Daemon } from '../run/daemon.js';
import { InputError } from '../errors.js';
import { runExplainCommand } from '../explain/explain.js';
import { explainEntries } from '../explain/entries.js';
import { takeConfigArg } from './args.js';
import { createLogger } from '../log.js';
import { LOG_FILE_DEFAULTS, RotatingLogFile, parseByteSize } from '../log-file.js';
import { controlAddress, defaultControlName, sendControl, startControl, type ControlCommand } from '../serve/control.js';
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
        [--log.file FILE [--log.max-size SIZE] [--log.keep N]] [--control.pipe NAME]
        Run the agent: probe on the schedule and serve /metrics, /-/healthy, /-/ready, /-/reload, /.
        --log.file writes the logs to FILE instead of stdout, rotated at --log.max-size (10MB) keeping --log.keep (5).
        --control.pipe: the named pipe (Windows; default entra-connect-monitor) or Unix socket for stop and reload.
  entra-connect-monitor stop|reload [--control.pipe NAME]
        Ask the agent running on this machine to shut down (waits until it has) or to re-read its configuration.
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
      'log.file': { type: 'string' },
      'log.max-size': { type: 'string' },
      'log.keep': { type: 'string' },
      'control.pipe': { type: 'string' },
    },
    strict: true,
  });
  const logFile = openLogFile(values['log.file'], values['log.max-size'], values['log.keep']);
  try {
    return await startDaemon(values, logFile);
  } catch (e) {
    // Where stdout goes nowhere (a scheduled task), the reason the agent did not start must be in its log file.
    if (e instanceof InputError) logFile?.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), app: 'entra-connect-monitor', msg: e.message })}\n`);
    throw e;
  }
}

function openLogFile(path: string | undefined, maxSize: string | undefined, keep: string | undefined): RotatingLogFile | undefined {
  if (path === undefined) {
    if (maxSize !== undefined || keep !== undefined) throw new InputError('--log.max-size', '', 'and --log.keep need --log.file');
    return undefined;
  }
  const maxBytes = maxSize === undefined ? LOG_FILE_DEFAULTS.maxBytes : parseByteSize(maxSize);
  if (maxBytes === undefined || maxBytes < 4096) throw new InputError('--log.max-size', '', `"${maxSize}" must be a size of at least 4KB (e.g. 10MB)`);
  const kept = keep === undefined ? LOG_FILE_DEFAULTS.keep : Number(keep);
  if (!Number.isInteger(kept) || kept < 0 || kept > 100) throw new InputError('--log.keep', '', `"${keep}" must be a whole number from 0 to 100`);
  return new RotatingLogFile(path, { maxBytes, keep: kept });
}

interface DaemonFlags {
  config?: string;
  'web.listen-address'?: string;
  'log.level'?: string;
  'web.config.file'?: string;
  'control.pipe'?: string;
}

async function startDaemon(values: DaemonFlags, logFile: RotatingLogFile | undefined): Promise<number> {
  const config = loadConfig(values.config);
  const web = values['web.config.file'] === undefined ? undefined : await loadWebConfig(values['web.config.file']);
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  const level = values['log.level'] ?? config.log.level;
  if (!levels.includes(level)) throw new InputError('--log.level', '', `must be one of ${levels.join(', ')}`);
  const listenText = values['web.listen-address'] ?? config.listen;
  const listen = parseListen(listenText);
  if (!listen) throw new InputError('--web.listen-address', '', `"${listenText}" must be HOST:PORT`);
  const logger = createLogger(level as never, logFile ?? process.stdout);
  const daemon = new Daemon({ configFile: values.config, logger });
  let server;
  try {
    server = await startServer(daemon, { host: listen.host, port: listen.port, tls: web?.tls, authorize: web?.authorize });
  } catch (err) {
    return fail(process.stderr, `cannot listen on ${listenText}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const address = server.address();
  logger.info({ listen: typeof address === 'object' && address ? `${address.address}:${address.port}` : listenText, version: VERSION, tls: Boolean(web?.tls), auth: Boolean(web?.spec.users.size) }, 'listening');
  const windows = process.platform === 'win32';
  // On Windows, Ctrl+Break is SIGBREAK and SIGHUP means the console is closing: both end the agent there.
  const shutdown = shutdownOn(windows ? ['SIGTERM', 'SIGINT', 'SIGBREAK', 'SIGHUP'] : ['SIGTERM', 'SIGINT'], { daemon, server, logger });
  if (!windows) process.on('SIGHUP', () => void daemon.reload());
  const controlName = values['control.pipe'] ?? defaultControlName();
  if (controlName) {
    const address = controlAddress(controlName);
    try {
      await startControl(address, { stop: () => shutdown.stop('control'), reload: () => daemon.reload() });
      logger.info({ control: address }, 'control channel open');
    } catch (err) {
      // Another agent holds the name: this one still runs and serves, only `stop` and `reload` cannot reach it.
      logger.warn({ control: address, error: (err as NodeJS.ErrnoException).code ?? String(err) }, 'control channel not opened: stop this agent with its process manager');
    }
  }
  await daemon.start();
  return shutdown.done;
}

async function runControlCommand(command: ControlCommand, args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { 'control.pipe': { type: 'string' } }, strict: true });
  const name = values['control.pipe'] ?? defaultControlName();
  if (!name) throw new InputError('--control.pipe', '', 'is needed here (the agent listens on a control socket only when started with --control.pipe)');
  const address = controlAddress(name);
  const reply = await sendControl(address, command, 10_000);
  if (reply.error) {
    err.write(`entra-connect-monitor: ${command}: no agent answered on ${address} (${reply.error})\n`);
    return 1;
  }
  out.write(`${reply.answer ?? '(no answer)'}${command === 'stop' && reply.closed ? '; the agent has exited' : ''}\n`);
  return command === 'stop' ? (reply.closed ? 0 : 1) : reply.answer === 'reloaded' ? 0 : 1;
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
      case 'stop':
      case 'reload':
        return await runControlCommand(first, rest, process.stdout, process.stderr);
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
