// A forward proxy that forgets its tunnels without telling anyone, as a firewall or proxy with a short idle timer
// and no FIN/RST on expiry does: it accepts CONNECT, answers 200 and relays to `upstream`, then after
// `forwardForMs` it stops relaying in both directions while both sockets stay open ('stall'), and at the first byte
// that arrives afterwards resets the client ('reset') or closes it with a FIN ('fin', as squid does when the far side
// of a tunnel is gone).
import { connect, createServer, type Socket } from 'node:net';
import type { Running } from '../lab/servers.js';

export interface SilentDropProxyOptions {
  /** Where every tunnel goes, whatever CONNECT names (the lab's HTTPS server). */
  upstream: { host: string; port: number };
  forwardForMs: number;
  after?: 'stall' | 'reset' | 'fin';
}

export async function startSilentDropProxy(opts: SilentDropProxyOptions): Promise<Running & { tunnels: number }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  let tunnels = 0;

  const server = createServer((client) => {
    track(client);
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onHead);
      if (!/^CONNECT \S+ HTTP\/1\.[01]\r\n/.test(head.toString('latin1'))) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(opts.upstream);
      track(upstream);
      upstream.once('connect', () => {
        tunnels++;
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const early = head.subarray(end + 4);
        if (early.length > 0) upstream.write(early);
        relay(client, upstream);
      });
    };
    client.on('data', onHead);
  });

  function relay(client: Socket, upstream: Socket) {
    let forwarding = true;
    const timer = setTimeout(() => (forwarding = false), opts.forwardForMs);
    client.on('close', () => clearTimeout(timer));
    client.on('data', (chunk: Buffer) => {
      if (forwarding) upstream.write(chunk);
      else if (opts.after === 'reset') client.resetAndDestroy();
      else if (opts.after === 'fin') client.end();
      // else: dropped on the floor, and nobody is told
    });
    upstream.on('data', (chunk: Buffer) => {
      if (forwarding) client.write(chunk);
    });
    client.on('end', () => forwarding && upstream.end());
    upstream.on('end', () => forwarding && client.end());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    get tunnels() {
      return tunnels;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
