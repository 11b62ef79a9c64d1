// The least a Node program can spend on the bench's probe: a bare prober with blackbox_exporter's interface
// (`GET /probe?target=URL`, answered in its text format), doing only what every HTTPS probe through a proxy must do:
// TCP to squid, CONNECT, a verified TLS 1.2 handshake (the agent's default) with one secure context, the request,
// the whole answer read, the connection closed. No metrics, no logs, no phases beyond four timestamps, no HTTP
// parser beyond the status line. Its CPU per probe, beside blackbox_exporter's in the same run, is what Node itself
// costs; ours above it is what the agent adds.
//
// `node dist-bench/bench/node-floor.js PROXY_PORT CA_FILE` prints its port on stdout once it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../test/lab/child.js';
import { get, until } from './lib.js';
import type { BlackboxProbe } from './setup.js';

export interface Prober {
  pid: number;
  probe(target: string): Promise<BlackboxProbe>;
  stop(): Promise<void>;
}

const TIMEOUT_MS = 10_000;

/** Reads from a socket until the end of an HTTP head; resolves with the head and whatever followed it. */
function readHead(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

async function probeOnce(target: URL, proxyPort: number, context: SecureContext): Promise<{ status: number; phases: Record<string, number>; seconds: number }> {
  const t0 = performance.now();
  const tcp = netConnect({ host: '127.0.0.1', port: proxyPort });
  tcp.setTimeout(TIMEOUT_MS, () => tcp.destroy(new Error('timeout')));
  try {
    await new Promise<void>((resolve, reject) => tcp.once('connect', resolve).once('error', reject));
    const t1 = performance.now();
    const host = target.hostname;
    const port = target.port || '443';
    tcp.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
    const answer = await readHead(tcp);
    if (!answer.startsWith('HTTP/1.1 200') && !answer.startsWith('HTTP/1.0 200')) throw new Error(`CONNECT: ${answer.split('\r\n')[0]}`);
    // The name checked on the leaf, and Node's legacy chain objects not built: the agent's own saving (agent/net/connector.ts).
    const tls: TLSSocket = tlsConnect({
      socket: tcp,
      servername: host,
      secureContext: context,
      checkServerIdentity: () => (tls.getPeerX509Certificate()?.checkHost(host) ? undefined : new Error(`${host} is not in the certificate`)),
    });
    Object.defineProperty(tls, 'getPeerCertificate', { value: () => ({}) });
    await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
    const t2 = performance.now();
    tls.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: node-floor\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    let first = '';
    let t3 = 0;
    await new Promise<void>((resolve, reject) => {
      tls.on('data', (chunk: Buffer) => {
        if (t3 === 0) t3 = performance.now();
        if (first.length < 64) first += chunk.toString('latin1', 0, 64);
      });
      tls.once('end', resolve);
      tls.once('error', reject);
    });
    const t4 = performance.now();
    tls.destroy();
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(first)?.[1] ?? 0);
    return { status, seconds: (t4 - t0) / 1000, phases: { connect: (t1 - t0) / 1000, tls: (t2 - t1) / 1000, processing: (t3 - t2) / 1000, transfer: (t4 - t3) / 1000 } };
  } finally {
    tcp.destroy();
  }
}

function serve(proxyPort: number, caFile: string): void {
  const context = createSecureContext({ ca: [...rootCertificates, readFileSync(caFile, 'utf8')], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://floor').searchParams.get('target');
    const done = (lines: string[]) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${lines.join('\n')}\n`);
    if (!target) return void res.writeHead(400).end('target missing\n');
    probeOnce(new URL(target), proxyPort, context).then(
      (r) =>
        done([
          `probe_success ${r.status === 200 ? 1 : 0}`,
          `probe_duration_seconds ${r.seconds}`,
          ...Object.entries(r.phases).map(([phase, s]) => `probe_http_duration_seconds{phase="${phase}"} ${s}`),
        ]),
      () => done(['probe_success 0', 'probe_duration_seconds 0']),
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

/** Starts the floor prober as a process of its own (its CPU is read from /proc like blackbox_exporter's). */
export async function startFloor(proxyPort: number, caFile: string): Promise<Prober> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), String(proxyPort), caFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  await until(() => {
    if (exited) throw new Error(`node-floor exited at start: ${err}`);
    return out.includes('\n');
  }, 15_000, 'node-floor to listen', 20);
  const base = `http://127.0.0.1:${Number(out.trim())}`;
  return {
    pid: child.pid!,
    async probe(target) {
      const { body } = await get(`${base}/probe?target=${encodeURIComponent(target)}`);
      const phases: Record<string, number> = {};
      for (const m of body.matchAll(/^probe_http_duration_seconds\{phase="(\w+)"\} (\S+)$/gm)) phases[m[1]!] = Number(m[2]);
      return { success: /^probe_success 1$/m.test(body), durationSeconds: Number(/^probe_duration_seconds (\S+)$/m.exec(body)?.[1] ?? Number.NaN), phases };
    },
    async stop() {
      await stopChild(child);
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(Number(process.argv[2]), process.argv[3]!);
