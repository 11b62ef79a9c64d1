// One HTTPS request to the agent's own endpoint (behind --web.config.file's TLS and basic auth), trusting the test
// CA, with optional basic auth and a client certificate; bounded by a 5 s socket timeout.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

export interface HttpsGetOptions {
  ca: string;
  method?: string;
  /** "user:password" for basic auth. */
  auth?: string;
  headers?: Record<string, string>;
  cert?: string;
  key?: string;
}

export function httpsGet(url: URL, opts: HttpsGetOptions): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: opts.method ?? 'GET', ca: opts.ca, servername: 'localhost', cert: opts.cert, key: opts.key,
        headers: { ...(opts.auth ? { authorization: `Basic ${Buffer.from(opts.auth).toString('base64')}` } : {}), ...opts.headers },
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
