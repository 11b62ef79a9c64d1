#!/usr/bin/env node
// Flags and verbs only: run (the daemon), stop and reload, check (probe once), explain, logs. Each verb's modules are imported when
// that verb runs, so the daemon does not carry the proxy-log reader, explain's data or the check report.
import { InputError } from '../errors.js';
import { VERSION } from '../version.js';
import { fail, takeConfigArg } from './args.js';

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

/** The daemon: V8 set up before its modules load (their start-up is what would grow the young generation). */
async function daemon(args: string[]): Promise<number> {
  (await import('../run/heap.js')).tuneV8ForDaemon();
  return (await import('./run.js')).runDaemon(args);
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
      case 'check': {
        const { runCheckCommand } = await import('./check.js');
        return await runCheckCommand(rest, process.stdout, process.stderr);
      }
      case 'explain': {
        const [{ runExplainCommand }, { explainEntries }, { loadConfig }] = await Promise.all([import('../explain/explain.js'), import('../explain/entries.js'), import('../config/config.js')]);
        const { config, rest: explainArgs } = takeConfigArg(rest);
        // Only the cloud is read here (its catalogue names the hosts); the proxy environment matters to --run alone.
        const entries = explainEntries(loadConfig(config, {}).cloud);
        return await runExplainCommand(explainArgs, process.stdout, process.stderr, async (checks) => {
          const [{ runNamedChecks }, { buildPlan }] = await Promise.all([import('../run/checks/registry.js'), import('../plan/plan.js')]);
          return runNamedChecks(buildPlan(loadConfig(config)), checks);
        }, entries);
      }
      case 'logs': {
        const { runLogsCommand } = await import('../proxylog/command.js');
        return await runLogsCommand(rest, process.stdout, process.stderr, process.stdin);
      }
      case 'run':
        return await daemon(rest);
      case 'stop':
      case 'reload':
        return await (await import('./run.js')).runControlCommand(first, rest, process.stdout, process.stderr);
      default:
        if (first === undefined || first.startsWith('--')) return await daemon(argv);
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
