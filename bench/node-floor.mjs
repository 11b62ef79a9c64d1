// The least a Node program can spend on the bench's probe: a bare prober with blackbox_exporter's interface
// (`GET /probe?target=URL`, answered in its text format), doing only what every HTTPS probe through a proxy must do:
// TCP to squid, CONNECT, a verified TLS 1.2 handshake (the agent's default) with one secure context, the request,
// the whole answer read, the connection closed. No metrics, no logs, no phases beyond four timestamps, no HTTP
// parser beyond the status line. Plain JavaScript, so that it runs the same from the compiled bench and under vitest.
//
// `node bench/node-floor.mjs PROXY_PORT CA_FILE` prints its port on stdout once it listens (bench/node-floor.ts).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, createSecureContext, rootCertificates } from 'node:tls';

const TIMEOUT_MS = 10_000;

/** Reads from a socket until the end of an HTTP head; resolves with the head and whatever followed it. */
function readHead(socket) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
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

async function probeOnce(target, proxyPort, context) {
  const t0 = performance.now();
  const tcp = netConnect({ host: '127.0.0.1', port: proxyPort });
  tcp.setTimeout(TIMEOUT_MS, () => tcp.destroy(new Error('timeout')));
  try {
    await new Promise((resolve, reject) => tcp.once('connect', resolve).once('error', reject));
    const t1 = performance.now();
    const host = target.hostname;
    const port = target.port || '443';
    tcp.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
    const answer = await readHead(tcp);
    if (!answer.startsWith('HTTP/1.1 200') && !answer.startsWith('HTTP/1.0 200')) throw new Error(`CONNECT: ${answer.split('\r\n')[0]}`);
    // The name checked on the leaf, and Node's legacy chain objects not built: the agent's own saving (agent/net/connector.ts).
    const tls = tlsConnect({
      socket: tcp,
      servername: host,
      secureContext: context,
      checkServerIdentity: () => (tls.getPeerX509Certificate()?.checkHost(host) ? undefined : new Error(`${host} is not in the certificate`)),
    });
    Object.defineProperty(tls, 'getPeerCertificate', { value: () => ({}) });
    await new Promise((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
    const t2 = performance.now();
    tls.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: node-floor\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    let first = '';
    let t3 = 0;
    await new Promise((resolve, reject) => {
      tls.on('data', (chunk) => {
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

function serve(proxyPort, caFile) {
  const context = createSecureContext({ ca: [...rootCertificates, readFileSync(caFile, 'utf8')], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://floor').searchParams.get('target');
    const done = (lines) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${lines.join('\n')}\n`);
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

serve(Number(process.argv[2]), process.argv[3]);
// An exit of its own on SIGTERM, so that a run under --cpu-prof writes its profile (bench:cost --profile).
process.once('SIGTERM', () => process.exit(0));
