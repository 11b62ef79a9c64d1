// The HTTP face of the agent, with the exporter habits admins expect: /metrics, /-/healthy, /-/ready, /-/reload,
// and a small status page. Nothing here echoes request data or internal paths back.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AgentHandle } from './snapshot.js';
import type { Selection } from './page/index.js';
import { statusJson } from './status.js';

export interface ServerOptions {
  host: string;
  port: number;
  /** TLS for the metrics endpoint (from --web.config.file). */
  tls?: HttpsOptions;
  /** Basic auth check; undefined = open. */
  authorize?: (req: IncomingMessage) => Promise<boolean>;
}

const MAX_HEADER_BYTES = 8 * 1024;
const MAX_BODY_BYTES = 1024;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Writes the exposition as it is rendered, a chunk at a time, waiting for the socket to drain: at 1,000 endpoints x 2
 * routes it is some 10 MB of text, which a scrape then never holds whole. A scraper that goes away ends the writing.
 */
async function sendExposition(res: ServerResponse, chunks: AsyncIterable<string>, contentType: string): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  if (res.req.method === 'HEAD') return void res.end();
  for await (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}

/** Reads and discards a small request body; a larger one is refused. */
function drainBody(req: IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop reading; the 413 goes out with Connection: close, which ends the connection after it.
        req.removeAllListeners('data');
        req.pause();
        resolve(false);
      }
    });
    req.on('end', () => resolve(true));
    req.on('error', () => resolve(false));
  });
}

/** `/?endpoint=ID&route=NAME` opens that endpoint × route on the page. */
function selection(query: string | undefined): Selection | undefined {
  const params = new URLSearchParams(query ?? '');
  const endpoint = params.get('endpoint');
  const route = params.get('route');
  return endpoint && route ? { endpoint, route } : undefined;
}

export async function handle(agent: AgentHandle, req: IncomingMessage, res: ServerResponse, authorize?: ServerOptions['authorize']): Promise<void> {
  const [path, query] = (req.url ?? '/').split('?', 2) as [string, string | undefined];
  const method = req.method ?? 'GET';
  if (authorize && !(await authorize(req))) {
    return send(res, 401, 'Unauthorized\n', { 'www-authenticate': 'Basic realm="entra-connect-monitor"' });
  }
  const only = (...methods: string[]) => {
    if (methods.includes(method)) return true;
    send(res, 405, 'Method Not Allowed\n', { allow: methods.join(', ') });
    return false;
  };
  switch (path) {
    case '/metrics': {
      if (!only('GET', 'HEAD')) return;
      const openMetrics = /application\/openmetrics-text/.test(req.headers.accept ?? '');
      return sendExposition(res, agent.metrics.exposition(openMetrics), agent.metrics.contentType(openMetrics));
    }
    case '/-/healthy':
      if (!only('GET', 'HEAD')) return;
      return send(res, 200, 'Healthy\n');
    case '/-/ready':
      if (!only('GET', 'HEAD')) return;
      return agent.ready ? send(res, 200, 'Ready\n') : send(res, 503, 'Not ready: the first probe run has not completed\n');
    case '/-/reload': {
      if (!only('POST')) return;
      if (!(await drainBody(req))) return send(res, 413, 'Payload Too Large\n', { connection: 'close' });
      const outcome = agent.reload();
      // The reason names files on this machine: it goes to the log only, never into an HTTP answer.
      return outcome.ok ? send(res, 200, 'Reloaded\n') : send(res, 500, 'Reload failed: the previous configuration stays in use; the agent log names the file, key and problem\n');
    }
    case '/status':
      if (!only('GET', 'HEAD')) return;
      return send(res, 200, `${JSON.stringify(statusJson(agent.snapshot()))}\n`, { 'content-type': 'application/json' });
    case '/':
      if (!only('GET', 'HEAD')) return;
      {
        // The page's modules load with the first visit: an agent nobody looks at does not keep them resident.
        const page = await import('./page/index.js');
        return send(res, 200, page.renderStatusPage(agent.snapshot(), selection(query)), { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.PAGE_CSP });
      }
    default:
      return send(res, 404, 'Not Found\n');
  }
}

export async function startServer(agent: AgentHandle, options: ServerOptions): Promise<Server> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(agent, req, res, options.authorize).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...options.tls, maxHeaderSize: MAX_HEADER_BYTES }, onRequest)
    : createHttpServer({ maxHeaderSize: MAX_HEADER_BYTES }, onRequest);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
