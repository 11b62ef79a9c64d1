// The client side of the proxy log tests: CONNECT through a real squid (test/lab/squid.ts) so that squid writes the
// access.log lines the analyser reads.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface Tunnel {
  status: number;
  socket: Socket;
  /** Resolves when the tunnel closes (squid cut it, or we did), or rejects after the bound. */
  closed(timeoutMs: number): Promise<void>;
}

/**
 * Sends CONNECT target through the proxy and reads its answer's status line. `localAddress` (127.0.0.x) makes
 * the request come from another client as the proxy logs it.
 */
export function connectThrough(
  proxyPort: number,
  target: string,
  { credentials, localAddress, timeoutMs = 10_000 }: { credentials?: string; localAddress?: string; timeoutMs?: number } = {},
): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: proxyPort, host: '127.0.0.1', localAddress });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to CONNECT ${target} within ${timeoutMs} ms`));
    }, timeoutMs);
    let head = '';
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('data', function onData(chunk: Buffer) {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({
        status,
        socket,
        closed: (bound) =>
          Promise.race([
            closed,
            new Promise<void>((_, fail) => setTimeout(() => fail(new Error(`tunnel to ${target} still open after ${bound} ms`)), bound).unref()),
          ]),
      });
    });
    const auth = credentials ? `Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n` : '';
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  });
}
