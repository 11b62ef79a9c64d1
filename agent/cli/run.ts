// The `run` verb: the daemon. Loaded only when it runs, with only what the daemon needs.
import { parseArgs } from 'node:util';
import { loadConfig, parseListen } from '../config/config.js';
import { InputError } from '../errors.js';
import { createLogger } from '../log.js';
import { Daemon } from '../run/daemon.js';
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
    },
    strict: true,
  });
  const config = loadConfig(values.config);
  // The web configuration (bcrypt, its schema) is loaded only when one is given.
  const web = values['web.config.file'] === undefined ? undefined : await (await import('../serve/webconfig.js')).loadWebConfig(values['web.config.file']);
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
