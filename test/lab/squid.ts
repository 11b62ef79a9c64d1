// A real squid on loopback for the integration tests: its own temp dir, ports, hosts file and ACLs.
// Facts from ../shared/notes/proxies-on-loopback.md: squid drops to the `proxy` user, read_timeout closes idle tunnels.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { stopChild } from './child.js';
import { join } from 'node:path';

export interface SquidOptions {
  /** name -> loopback address, written to squid's hosts_file. */
  hosts: Record<string, string>;
  /** Domains (squid dstdomain syntax) answered with 403. */
  deny?: string[];
  /** Users for the port that requires Basic auth; absent = no auth port. */
  users?: Record<string, string>;
  /** The auth port offers NTLM only (squid's ntlm_fake_auth helper), as a proxy doing Windows integrated auth does. */
  ntlmOnly?: boolean;
  /**
   * The schemes the auth port offers, in the order of its 407's Proxy-Authenticate headers (default: basic, or ntlm
   * with ntlmOnly). negotiate needs `kerberos`; ntlm is squid's ntlm_fake_auth (it accepts any NTLM handshake).
   */
  authSchemes?: Array<'negotiate' | 'ntlm' | 'basic'>;
  /** Lines added to squid.conf as they are (e.g. client_persistent_connections off). */
  extraConfig?: string[];
  /** For negotiate: squid's negotiate_kerberos_auth with the proxy's keytab (HTTP/<host>@REALM). */
  kerberos?: { krb5Conf: string; keytab: string; principal: string };
  readTimeoutSeconds?: number;
  connectTimeoutSeconds?: number;
  /** The DNS server squid asks for names not in its hosts file (port 53 only: squid takes no port); 127.0.0.1 by default. */
  dnsNameserver?: string;
  /** Fixed ports (e.g. to restart a killed squid where the agent expects it); free ports by default. */
  port?: number;
  authPort?: number;
}

export interface Squid {
  /** Open port: everything allowed except `deny`. */
  port: number;
  /** Port that requires Basic proxy auth (407 without it). */
  authPort: number;
  dir: string;
  accessLog: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function squidBinary(): string {
  for (const p of ['/usr/sbin/squid', '/usr/bin/squid']) if (existsSync(p)) return p;
  throw new Error('squid is not installed: apt-get install -y squid');
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function proxyUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'proxy']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'proxy']).toString().trim());
  return { uid, gid };
}

/** Resolves when `check` returns true, polling every `everyMs`, or rejects after `withinMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, withinMs: number, what: string, everyMs = 50): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function portAccepts(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startSquid(opts: SquidOptions): Promise<Squid> {
  const dir = mkdtempSync(join(tmpdir(), 'ecm-squid-'));
  const { uid, gid } = proxyUser();
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o755);
  const port = opts.port ?? (await freePort());
  const authPort = opts.authPort ?? (await freePort());
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, `${Object.entries(opts.hosts).map(([name, addr]) => `${addr} ${name}`).join('\n')}\n`);
  const passwd = join(dir, 'passwd');
  const users = opts.users ?? {};
  if (Object.keys(users).length > 0) {
    let first = true;
    for (const [user, password] of Object.entries(users)) {
      execFileSync('htpasswd', [...(first ? ['-c'] : []), '-b', '-B', passwd, user, password], { stdio: 'ignore' });
      first = false;
    }
  } else {
    writeFileSync(passwd, '');
  }
  chownSync(passwd, uid, gid);
  const accessLog = join(dir, 'access.log');
  const deny = opts.deny ?? [];
  const conf = [
    `http_port 127.0.0.1:${port} name=open`,
    `http_port 127.0.0.1:${authPort} name=auth`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log ${join(dir, 'cache.log')}`,
    `access_log stdio:${accessLog} squid`,
    'cache_store_log none',
    'cache deny all',
    'pinger_enable off',
    'icp_port 0',
    'htcp_port 0',
    'shutdown_lifetime 1 seconds',
    `hosts_file ${hostsFile}`,
    `dns_nameservers ${opts.dnsNameserver ?? '127.0.0.1'}`,
    'dns_timeout 2 seconds',
    `read_timeout ${opts.readTimeoutSeconds ?? 60} seconds`,
    `connect_timeout ${opts.connectTimeoutSeconds ?? 5} seconds`,
    `coredump_dir ${dir}`,
    'forwarded_for delete',
    'via off',
    ...(opts.extraConfig ?? []),
    ...(opts.authSchemes ?? (opts.ntlmOnly ? ['ntlm'] : ['basic'])).flatMap((scheme) => authParams(scheme, passwd, opts.kerberos, { uid, gid })),
    'acl authport myportname auth',
    'acl authed proxy_auth REQUIRED',
    ...(deny.length ? [`acl denied dstdomain ${deny.join(' ')}`, 'http_access deny denied'] : []),
    'http_access deny authport !authed',
    'acl loopback src 127.0.0.0/8 ::1',
    'http_access allow loopback',
    'http_access deny all',
    '',
  ].join('\n');
  const confFile = join(dir, 'squid.conf');
  writeFileSync(confFile, conf);
  // A service name of its own: squid names its shared-memory segments after it, so two squids starting at the same
  // moment (test files in parallel) would otherwise both try to create /squid-cf__metadata.shm.
  const child = spawn(squidBinary(), ['-N', '-n', `ecm${port}`, '-f', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`squid exited at start: ${stderr.trim()} ${readLog(join(dir, 'cache.log'))}`);
      return (await portAccepts(port)) && (await portAccepts(authPort));
    }, 15_000, 'squid to listen');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    authPort,
    dir,
    accessLog,
    process: child,
    async stop() {
      await stopChild(child);
    },
  };
}

function authParams(scheme: 'negotiate' | 'ntlm' | 'basic', passwd: string, kerberos: SquidOptions['kerberos'], owner: { uid: number; gid: number }): string[] {
  switch (scheme) {
    case 'basic':
      return [
        `auth_param basic program /usr/lib/squid/basic_ncsa_auth ${passwd}`,
        'auth_param basic realm entra-lab',
        // squid lower-cases user names unless told not to, and DOMAIN\\user accounts are mixed case.
        'auth_param basic casesensitive on',
      ];
    case 'ntlm':
      return ['auth_param ntlm program /usr/lib/squid/ntlm_fake_auth', 'auth_param ntlm children 1', 'auth_param ntlm keep_alive on'];
    case 'negotiate': {
      if (!kerberos) throw new Error('squid: the negotiate scheme needs the kerberos option');
      // The helper runs as the proxy user and must read the proxy's keytab.
      chownSync(kerberos.keytab, owner.uid, owner.gid);
      return [
        `auth_param negotiate program /usr/bin/env KRB5_CONFIG=${kerberos.krb5Conf} KRB5_KTNAME=${kerberos.keytab} /usr/lib/squid/negotiate_kerberos_auth -s ${kerberos.principal}`,
        'auth_param negotiate children 2',
        'auth_param negotiate keep_alive on',
      ];
    }
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => /FATAL|ERROR/.test(l)).slice(-3).join(' | ');
  } catch {
    return '';
  }
}
