// Clean shutdown on SIGTERM/SIGINT: stop scheduling, abort the probes and idle tunnels in flight, close the HTTP
// server and its connections, log one line, exit 0, all within a hard bound (2 s is the contract; we aim at 1.5 s).
import type { Server } from 'node:http';
import type { Logger } from '../log.js';
import { closeServer } from './server.js';

export interface ShutdownParts {
  daemon: { stop(): Promise<void> };
  server: Server;
  logger: Logger;
  /** How long the orderly part may take before we stop waiting for it. */
  graceMs?: number;
  /** After the orderly part, how long the event loop gets to drain before the process exits anyway. */
  drainMs?: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export interface Shutdown {
  /** Resolves with the exit code (0) once a shutdown has run; the caller sets process.exitCode. */
  done: Promise<number>;
  /** Starts the same bounded shutdown a signal does; `trigger` is logged in the signal field (e.g. "control"). */
  stop(trigger: string): void;
}

/** Runs the bounded shutdown on any of `signals`, or when stop() is called (a stop request on the control pipe). */
export function shutdownOn(signals: NodeJS.Signals[], parts: ShutdownParts): Shutdown {
  const { daemon, server, logger, graceMs = 1200, drainMs = 300 } = parts;
  let trigger: (why: string) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return; // a second signal while stopping changes nothing: the bound below holds anyway
      stopping = true;
      const started = performance.now();
      let orderly = true;
      await Promise.race([
        (async () => {
          await daemon.stop();
          await closeServer(server);
        })(),
        delay(graceMs).then(() => {
          orderly = false;
        }),
      ]);
      logger.info({ signal, seconds: Number(((performance.now() - started) / 1000).toFixed(3)), orderly }, 'shut down');
      resolve(0);
      // Something that still holds the event loop (a socket a library keeps, a timer) must not keep us alive.
      setTimeout(() => process.exit(0), drainMs).unref();
    };
    trigger = (why) => void stop(why);
    for (const signal of signals) process.on(signal, () => void stop(signal));
  });
  return { done, stop: (why) => trigger(why) };
}
