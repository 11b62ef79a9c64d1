// A real squid on 127.0.0.1 for the proxy log tests: one open port, one that requires basic auth, one name
// denied with 403, Entra names resolved to loopback, and a short read_timeout that cuts idle tunnels.
// Self-contained on purpose (test/lab/ will grow a general one later).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SQUID = '/usr/sbin/squid';
const NCSA_AUTH = '/usr/lib/squid/basic_ncsa_auth';
export const LAB_USER = 'CONTOSO\\svc-aadc';
export const LAB_PASSWORD = 'lab-password';

export interface SquidLab {
  openPort: number;
  authPort: number;
  accessLog: string;
  /** Stops squid (SIGTERM, bounded wait) so it flushes access.log; idempotent. */
  stop(): Promise<void>;
  /** Stops squid and removes its directory. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startSquid(options: { resolveToLoopback: string[]; denied: string[]; readTimeoutSeconds: number }): Promise<SquidLab> {
  const dir = mkdtempSync(join(tmpdir(), 'proxylog-squid-'));
  const proxyUid = Number(execFileSync('id', ['-u', 'proxy']).toString().trim());
  const proxyGid = Number(execFileSync('id', ['-g', 'proxy']).toString().trim());
  chownSync(dir, proxyUid, proxyGid);
  const htpasswd = join(dir, 'htpasswd');
  execFileSync('htpasswd', ['-bc', htpasswd, LAB_USER, LAB_PASSWORD], { stdio: 'ignore' });
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, options.resolveToLoopback.map((name) => `127.0.0.1 ${name}\n`).join(''));
  for (const file of [htpasswd, hosts]) chownSync(file, proxyUid, proxyGid);

  const openPort = await freePort();
  const authPort = await freePort();
  const accessLog = join(dir, 'access.log');
  const config = join(dir, 'squid.conf');
  writeFileSync(
    config,
    [
      `http_port 127.0.0.1:${openPort} name=open`,
      `http_port 127.0.0.1:${authPort} name=auth`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      `cache_log ${join(dir, 'cache.log')}`,
      `access_log stdio:${accessLog} squid`,
      'buffered_logs off',
      'cache_store_log none',
      'cache deny all',
      'pinger_enable off',
      'icp_port 0',
      'htcp_port 0',
      'shutdown_lifetime 1 seconds',
      'visible_hostname squid.lab',
      `coredump_dir ${dir}`,
      `hosts_file ${hosts}`,
      'dns_nameservers 127.0.0.1',
      `read_timeout ${options.readTimeoutSeconds} seconds`,
      `auth_param basic program ${NCSA_AUTH} ${htpasswd}`,
      'auth_param basic realm lab',
      // squid lower-cases user names unless told otherwise; the htpasswd entry is DOMAIN\\user as written.
      'auth_param basic casesensitive on',
      'acl authport myportname auth',
      'acl authed proxy_auth REQUIRED',
      `acl denied dstdomain ${options.denied.join(' ')}`,
      'http_access deny denied',
      'http_access deny authport !authed',
      'http_access allow all',
      '',
    ].join('\n'),
  );
  chownSync(config, proxyUid, proxyGid);

  const child = spawn(SQUID, ['-N', '-d', '1', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForListening(child, 2, 20_000);
  // squid logs "Accepting" a moment before the port takes connections (measured: 1 in 5 starts refuses the
  // first connect for ~10 ms), so confirm each port with a real connect.
  for (const port of [openPort, authPort]) await waitUntilConnectable(port, 5_000);

  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopChild(child, exited, 15_000));
  return {
    openPort,
    authPort,
    accessLog,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until squid says (on stderr, -d 1) that it accepts connections on every port, or fails in time. */
function waitForListening(child: ChildProcess, ports: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => finish(new Error(`squid did not start within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if ((text.match(/Accepting HTTP Socket connections/g) ?? []).length >= ports) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`squid exited (${code}) before listening:\n${text}`));
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.stderr!.resume(); // keep draining so squid never blocks on a full pipe
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve();
    }
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function waitUntilConnectable(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`squid port ${port} refused connections for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`squid did not stop within ${timeoutMs} ms of SIGTERM`);
  }
}

/** A TCP server that accepts and never says a word, so tunnels to it sit idle until the proxy cuts them. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

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
