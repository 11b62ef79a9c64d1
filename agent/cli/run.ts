// The `run` verb (the daemon) and `stop`/`reload` (its control channel). Loaded only when they run, with only what
// the daemon needs.
import { parseArgs } from 'node:util';
import { loadConfig, parseListen } from '../config/config.js';
import { InputError } from '../errors.js';
import { createLogger, errorFields } from '../log.js';
import { LOG_FILE_DEFAULTS, RotatingLogFile, parseByteSize } from '../log-file.js';
import { Daemon } from '../run/daemon.js';
import { controlAddress, defaultControlName, sendControl, startControl, type ControlCommand } from '../serve/control.js';
import { startServer } from '../serve/server.js';
import { shutdownOn } from '../serve/shutdown.js';
import { VERSION } from '../version.js';
import { fail } from './args.js';

export async function runDaemon(args: string[]): Promise<number> {
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
  // The web configuration (bcrypt, its schema) is loaded only when one is given.
  const web = values['web.config.file'] === undefined ? undefined : await (await import('../serve/webconfig.js')).loadWebConfig(values['web.config.file']);
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
      logger.warn({ control: address, ...errorFields(err) }, 'control channel not opened: stop this agent with its process manager');
    }
  }
  await daemon.start();
  return shutdown.done;
}

export async function runControlCommand(command: ControlCommand, args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
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
