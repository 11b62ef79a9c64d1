// Loopback servers the probes reach: a well-behaved HTTPS/HTTP "Microsoft endpoint", and servers that misbehave
// in the ways only a hand-written server can (hang, stall TLS, trickle, garbage, reset).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { KeyPair } from './ca.js';

export interface Running {
  port: number;
  close(): Promise<void>;
}

/** A lab server that counts what is connected to it. */
export interface Tracked extends Running {
  /** Connections open right now. */
  connections(): number;
}

function track(server: Server | HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  return sockets;
}

async function listen(server: Server | HttpServer, host: string, port: number): Promise<Tracked> {
  const sockets = track(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export const okHandler: Handler = (req, res) => {
  const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delayMs') ?? 0);
  const answer = () => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`ok ${req.headers.host ?? ''}\n`);
  };
  if (delay > 0) setTimeout(answer, delay);
  else answer();
};

/** `tls` narrows what the server accepts, e.g. { minVersion: 'TLSv1.3' } for a server that speaks TLS 1.3 only. */
export function startHttps(pair: KeyPair, host = '127.0.0.1', port = 0, handler: Handler = okHandler, tls: Pick<SecureContextOptions, 'minVersion' | 'maxVersion'> = {}): Promise<Tracked> {
  return listen(createHttpsServer({ cert: pair.cert, key: pair.key, ...tls }, handler), host, port);
}

export function startHttp(host = '127.0.0.1', port = 0, handler: Handler = okHandler): Promise<Tracked> {
  return listen(createHttpServer(handler), host, port);
}

/** Accepts TCP and never says anything. */
export function startSilent(host = '127.0.0.1', port = 0): Promise<Tracked> {
  return listen(createTcpServer(() => undefined), host, port);
}

/** Accepts and resets every connection at once. */
export function startResetting(host = '127.0.0.1', port = 0): Promise<Tracked> {
  return listen(createTcpServer((s) => s.resetAndDestroy()), host, port);
}

/**
 * Runs `start` on a random loopback address of its own (127.x.y.z), so that servers on fixed ports (443, 80) of test
 * files running at once never collide; tries another address when that one is taken.
 */
export async function onFreeLoopback<T>(start: (address: string) => Promise<T>): Promise<{ address: string; value: T }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    const address = `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
    try {
      return { address, value: await start(address) };
    } catch (err) {
      lastError = err;
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw lastError;
}
