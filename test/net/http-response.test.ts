// Reading one HTTP/1.1 answer from a real loopback socket: each framing (length, chunked, to the close), interim
// answers skipped, the cap, whether the connection can carry the next request, and the answers that are not HTTP.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readResponse, type ReadOptions } from '../../agent/net/http-response.js';
import { NetError } from '../../agent/net/net-error.js';

let server: Server | undefined;
afterEach(() => server?.close());

/** A server that sends these pieces, one write each, to every connection; `end` closes after them. */
async function answering(pieces: Array<string | Buffer>, end = true): Promise<Socket> {
  server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', async () => {
      for (const piece of pieces) {
        s.write(piece);
        await new Promise((r) => setImmediate(r));
      }
      if (end) s.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  await once(socket, 'connect');
  socket.write('GET / HTTP/1.1\r\n\r\n');
  return socket;
}

const options = (over: Partial<ReadOptions> = {}): ReadOptions => ({ maxHeadBytes: 1024, maxBodyBytes: 1 << 20, keepBody: true, method: 'GET', closeAsked: false, signal: new AbortController().signal, ...over });

describe('readResponse', () => {
  it('reads a Content-Length body split across writes, and leaves the next bytes on the socket', async () => {
    const socket = await answering(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello', ' worldHTTP/1.1 ...'], false);
    const r = await readResponse(socket, options());
    expect(r).toMatchObject({ status: 200, statusText: 'OK', received: 10, truncated: false, reusable: true });
    expect(r.body.toString()).toBe('hello worl');
    expect(r.headers.get('x-a')).toEqual(['1', '2']);
    const rest = await new Promise<Buffer>((resolve) => socket.once('data', resolve).resume());
    expect(rest.toString()).toBe('dHTTP/1.1 ...');
    socket.destroy();
  });

  it('decodes a chunked body with extensions and trailers, after skipping a 100 Continue', async () => {
    const socket = await answering(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n', '5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n'], false);
    const r = await readResponse(socket, options());
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('Wikipedia in\r\n\r\nchunks.');
    expect(r.reusable).toBe(true);
    socket.destroy();
  });

  it('reads to the close when the answer has no length, and such a connection cannot be reused', async () => {
    const socket = await answering(['HTTP/1.0 200 OK\r\n\r\nall ', 'of it']);
    const r = await readResponse(socket, options());
    expect(r.body.toString()).toBe('all of it');
    expect(r.reusable).toBe(false);
  });

  it('stops at the cap, keeping only the cap, and says it did', async () => {
    const socket = await answering([`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(3000)}`], false);
    const r = await readResponse(socket, options({ maxBodyBytes: 1000 }));
    expect(r).toMatchObject({ truncated: true, reusable: false });
    expect(r.body.length).toBe(1000);
    expect(r.received).toBeGreaterThanOrEqual(1000);
    socket.destroy();
  });

  it('keeps the connection only when neither side asked to close', async () => {
    let socket = await answering(['HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\nProxy-Connection: close\r\n\r\n'], false);
    expect(await readResponse(socket, options())).toMatchObject({ status: 407, reusable: false });
    socket.destroy();
    server!.close();
    socket = await answering(['HTTP/1.1 204 No Content\r\n\r\n'], false);
    expect(await readResponse(socket, options({ closeAsked: true }))).toMatchObject({ status: 204, reusable: false, received: 0 });
    socket.destroy();
  });

  it('fails with ECLOSED in the request phase on a close before any answer, in transfer on a close mid-body', async () => {
    let socket = await answering([]);
    await expect(readResponse(socket, options())).rejects.toMatchObject({ name: 'NetError', code: 'ECLOSED', phase: 'request' });
    server!.close();
    socket = await answering(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc']);
    await expect(readResponse(socket, options())).rejects.toMatchObject({ code: 'ECLOSED', phase: 'transfer' });
  });

  it('refuses what is not HTTP: garbage, a head too large, conflicting lengths, a bad chunk size', async () => {
    const cases: Array<[Array<string>, string]> = [
      [['SSH-2.0-OpenSSH_9.6\r\n'], 'EGARBAGE'],
      [[`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(2000)}`], 'EHEADTOOLARGE'],
      [['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello'], 'EGARBAGE'],
      [['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'], 'EGARBAGE'],
    ];
    for (const [pieces, code] of cases) {
      const socket = await answering(pieces, false);
      const err = await readResponse(socket, options()).catch((e: unknown) => e);
      expect(err, pieces[0]).toBeInstanceOf(NetError);
      expect((err as NetError).code, pieces[0]).toBe(code);
      socket.destroy();
      server!.close();
    }
  });

  it('gives up with the signal\'s reason when it aborts, and destroys the socket', async () => {
    const socket = await answering(['HTTP/1.1 200 OK\r\n'], false);
    const ac = new AbortController();
    const reading = readResponse(socket, options({ signal: ac.signal }));
    ac.abort(new Error('probe timeout'));
    await expect(reading).rejects.toThrow('probe timeout');
    expect(socket.destroyed).toBe(true);
  });
});
