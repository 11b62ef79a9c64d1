// A loopback HTTP server that answers as a CA's revocation hosts do: a real DER CRL (`openssl ca -gencrl`) to a GET
// of a .crl path, and a real OCSP response (`openssl ocsp`, the intermediate signing) to an OCSP POST.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestIntermediate } from './ca.js';
import { startHttp, type Tracked } from './servers.js';

export interface RevocationServer extends Tracked {
  /** Requests answered, as "METHOD path" (for tests that check what was fetched). */
  requests: string[];
}

const MAX_OCSP_REQUEST = 64 * 1024;

/** The revocation URLs the lab's chains name: two CRLs and an OCSP responder on catalogue hosts, one CRL on a host no row covers. */
export const LAB_REVOCATION = {
  leafCrl: 'http://crl3.digicert.com/lab/leaf.crl',
  leafCrl2: 'http://crl4.digicert.com/lab/leaf.crl',
  ocsp: 'http://ocsp.digicert.com/',
  uncoveredCrl: 'http://crl.uncovered-ca.example/lab/intermediate.crl',
} as const;

/** The certificates of a PEM bundle, in order. */
export const pemCertificates = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b));

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
