// The request-phase marks on a real loopback socket: sent after the head's write returned, first byte on the first
// chunk the socket pushes, each once, and the socket's own write/push back in place afterwards.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { markRequestBytes } from '../../agent/net/byte-marks.js';

let server: ReturnType<typeof createServer>;
let port = 0;
beforeAll(async () => {
  // Answers each line it reads with two separate writes, so the client sees more than one chunk.
  server = createServer((s) => s.once('data', () => {
    s.write('first');
    setTimeout(() => s.end('second'), 20);
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

it('stamps the head once its write returned and the first pushed response chunk, once each, then steps aside', async () => {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const order: string[] = [];
  const stamps: bigint[] = [];
  markRequestBytes(socket, (at) => (order.push('sent'), stamps.push(at)), (at) => (order.push('first'), stamps.push(at)));
  const before = process.hrtime.bigint();
  socket.write('GET\n');
  order.push('write returned');
  socket.write('more\n'); // a second write is not the head: no second mark
  // (checked before the end: at the end Node itself gives a socket that is not half-open its own write)
  const ownWriteAfterHead = Object.hasOwn(socket, 'write');
  const chunks: string[] = [];
  socket.on('data', (d: Buffer) => {
    order.push('data');
    chunks.push(d.toString());
  });
  await once(socket, 'end');
  expect(chunks.join('')).toBe('firstsecond');
  expect(order.slice(0, 3)).toEqual(['sent', 'write returned', 'first']);
  expect(order.filter((o) => o === 'sent' || o === 'first')).toEqual(['sent', 'first']);
  expect(stamps[0]! >= before && stamps[1]! >= stamps[0]!).toBe(true);
  expect(ownWriteAfterHead).toBe(false);
  expect(Object.hasOwn(socket, 'push')).toBe(false);
  socket.destroy();
});
