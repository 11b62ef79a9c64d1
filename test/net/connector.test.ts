// What the timed connector offers in its TLS handshake, seen from a real TLS server on loopback.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, openConnection } from '../../agent/net/connector.js';
import { PhaseClock } from '../../agent/net/phase-clock.js';
import { createTestCa, type KeyPair, type TestCa } from '../lab/ca.js';

let ca: TestCa;
let leaf: KeyPair;
beforeAll(() => {
  ca = createTestCa();
  leaf = ca.issue('alpn', ['alpn.lab.test']);
}, 30_000);

async function negotiated(serverProtocols: string[]): Promise<{ client: string | false | null; server: string | false | null }> {
  const seen: Array<string | false | null> = [];
  const server = createServer({ key: leaf.key, cert: leaf.cert, ALPNProtocols: serverProtocols }, (socket: TLSSocket) => {
    seen.push(socket.alpnProtocol);
    socket.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const connection = await openConnection({ host: 'alpn.lab.test', port, tls: true, ca: [ca.cert], resolve: { 'alpn.lab.test': '127.0.0.1' }, signal: AbortSignal.timeout(5000), clock: new PhaseClock() });
    const client = (connection.socket as TLSSocket).alpnProtocol;
    closeConnection(connection);
    return { client, server: seen[0] ?? false };
  } finally {
    server.close();
  }
}

describe('the TLS handshake', () => {
  it('offers HTTP/1.1 by ALPN, and only it: a server that prefers h2 settles on http/1.1', async () => {
    expect(await negotiated(['h2', 'http/1.1'])).toEqual({ client: 'http/1.1', server: 'http/1.1' });
  });

  it('a server that speaks only h2 refuses the handshake, and the failure names the alert', async () => {
    await expect(negotiated(['h2'])).rejects.toMatchObject({ phase: 'tls', code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' });
  });
});
