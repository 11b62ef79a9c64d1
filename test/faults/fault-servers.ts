// Hand-written misbehaving peers for the fault tests, only where a real squid or a real TLS server cannot show the
// fault: a TLS server that stalls or aborts its handshake, a body that trickles, garbage instead of HTTP, a fake
// proxy (CONNECT answered with garbage, endless headers or a hostile error), and a loopback DNS server that says
// NXDOMAIN. Every server tracks its sockets and timers and releases them on close.
import { createSocket } from 'node:dgram';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { KeyPair } from '../lab/ca.js';
import type { Running } from '../lab/servers.js';

async function listen(server: Server, host: string, port = 0, timers: Set<NodeJS.Timeout> = new Set()): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts TCP, reads the ClientHello, sends the first bytes of a ServerHello record and then nothing, ever. */
export function startTlsStall(host: string): Promise<Running> {
  return listen(
    createTcpServer((s) => {
      s.once('data', () => s.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00])));
    }),
    host,
  );
}

/** Reads the ClientHello and answers with a fatal handshake_failure alert, then closes. */
export function startTlsAlert(host: string): Promise<Running> {
  return listen(
    createTcpServer((s) => {
      s.once('data', () => s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])));
    }),
    host,
  );
}

/** Accepts, reads the client's first bytes (the ClientHello), then resets the connection (RST). */
export function startResetOnData(host: string): Promise<Running> {
  return listen(createTcpServer((s) => s.once('data', () => s.resetAndDestroy())), host);
}

/** Completes TLS, answers with headers, then sends one body byte a second, forever. */
export function startTrickle(pair: KeyPair, host: string): Promise<Running> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpsServer({ cert: pair.cert, key: pair.key }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('x');
    const t = setInterval(() => res.write('x'), 1000);
    timers.add(t);
    res.on('close', () => {
      clearInterval(t);
      timers.delete(t);
    });
  });
  return listen(server as unknown as Server, host, 0, timers);
}

const GARBAGE = Buffer.from('SSH-2.0-OpenSSH_9.2\r\n\x00\x01\x02\xff\xfe garbage, not HTTP \r\n\r\n');

/** Completes TLS, then answers any request with bytes that are not HTTP. */
export function startGarbageTls(pair: KeyPair, host: string): Promise<Running> {
  return listen(createTlsServer({ cert: pair.cert, key: pair.key }, (s) => s.once('data', () => s.end(GARBAGE))) as unknown as Server, host);
}

/** Plain TCP: answers any request with bytes that are not HTTP. */
export function startGarbageTcp(host: string): Promise<Running> {
  return listen(createTcpServer((s) => s.once('data', () => s.end(GARBAGE))), host);
}

export type FakeProxyMode = 'garbage' | 'endless-headers' | 'slow-headers' | 'hostile-error';
export const HOSTILE_TEXT = 'evil"} injected_metric{x="1\nEVIL_MARKER_4242';

/**
 * A forward proxy that misbehaves on CONNECT: `garbage` (not HTTP), `endless-headers` (a 200 whose header lines
 * never end, fast), `slow-headers` (the same, a line a second), `hostile-error` (a 502 whose status text and
 * X-Squid-Error carry `hostileText`, by default text built to break a metrics exposition).
 */
export function startFakeProxy(mode: FakeProxyMode, host = '127.0.0.1', hostileText = HOSTILE_TEXT): Promise<Running> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createTcpServer((s) => {
    s.once('data', () => {
      switch (mode) {
        case 'garbage':
          s.end(GARBAGE);
          return;
        case 'hostile-error':
          s.end(`HTTP/1.1 502 ${hostileText.replace(/\n/g, ' ')}\r\nX-Squid-Error: ${hostileText.replace(/\n/g, ' ')}\r\nContent-Length: 0\r\n\r\n`);
          return;
        case 'endless-headers':
        case 'slow-headers': {
          s.write('HTTP/1.1 200 Connection established\r\n');
          let n = 0;
          const fast = mode === 'endless-headers';
          const t = setInterval(() => {
            if (s.destroyed) return;
            s.write(fast ? `X-Filler-${n++}: ${'a'.repeat(1000)}\r\n`.repeat(4) : `X-Slow-${n++}: a\r\n`);
          }, fast ? 5 : 1000);
          timers.add(t);
          s.on('close', () => {
            clearInterval(t);
            timers.delete(t);
          });
          return;
        }
      }
    });
  });
  return listen(server, host, 0, timers);
}

/** A DNS server on loopback UDP that answers every query NXDOMAIN, and counts the queries it got. */
export async function startNxdomainDns(host = '127.0.0.1', port = 0): Promise<Running & { queries: () => string[] }> {
  const socket = createSocket('udp4');
  const names: string[] = [];
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    // The question: labels up to a zero byte, then QTYPE and QCLASS.
    let i = 12;
    const labels: string[] = [];
    while (i < msg.length && msg[i] !== 0) {
      const len = msg[i]!;
      labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
      i += 1 + len;
    }
    const questionEnd = i + 5;
    if (questionEnd > msg.length) return;
    names.push(labels.join('.'));
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const rd = msg[2]! & 0x01;
    header[2] = 0x80 | rd; // QR, opcode 0, RD copied
    header[3] = 0x80 | 0x03; // RA, rcode NXDOMAIN
    header.writeUInt16BE(1, 4); // one question
    socket.send(Buffer.concat([header, msg.subarray(12, questionEnd)]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return {
    port: socket.address().port,
    queries: () => [...names],
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Awaits `promise`, or rejects after `ms`: every wait in these tests is bounded. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
