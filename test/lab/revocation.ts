// A loopback HTTP server that answers as a CA's revocation hosts do: a real DER CRL (`openssl ca -gencrl`) to a GET
// of a .crl path, and a real OCSP response (`openssl ocsp`, the intermediate signing) to an OCSP POST.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestIntermediate } from './ca.js';
import { startHttp, type Tracked } from './servers.js';

export interface RevocationServer extends Tracked {
  /** Requests answered, as "METHOD path" (for tests that check what was fetched). */
  requests: string[];
}

const MAX_OCSP_REQUEST = 64 * 1024;

export async function startRevocationServer(ca: TestIntermediate, host: string, port = 80): Promise<RevocationServer> {
  const requests: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(`${req.method} ${path}`);
    if (req.method === 'GET' && path.endsWith('.crl')) {
      const crl = ca.crlDer();
      res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': crl.length });
      res.end(crl);
      return;
    }
    if (req.method === 'POST' && req.headers['content-type'] === 'application/ocsp-request') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_OCSP_REQUEST) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        try {
          const answer = ca.ocspResponse(Buffer.concat(chunks));
          res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': answer.length });
          res.end(answer);
        } catch {
          res.writeHead(400).end();
        }
      });
      return;
    }
    res.writeHead(404).end();
  };
  const server = await startHttp(host, port, handler);
  return { ...server, requests };
}
