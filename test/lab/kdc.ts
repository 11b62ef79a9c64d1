// A real MIT KDC on loopback for the Negotiate tests: its own realm, database, config files and keytabs in a temp
// dir (KRB5_CONFIG and KRB5_KDC_PROFILE point there, so nothing under /etc or /var is touched). Facts from
// ../shared/notes: kdb5_util + kadmin.local make the realm, krb5kdc -n runs it in the foreground.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './child.js';
import { freePort, waitFor } from './squid.js';

export const REALM = 'ENTRA.LAB';

export interface Kdc {
  realm: string;
  dir: string;
  port: number;
  /** krb5.conf for clients (the agent, squid's helper): KRB5_CONFIG. */
  krb5Conf: string;
  /** Environment for a Kerberos client of this realm. */
  env: Record<string, string>;
  /** Adds a principal with a random key; `keytab` exports its key there. `preauth`: the KDC checks the client's timestamp. */
  addPrincipal(name: string, keytab?: string, opts?: { preauth?: boolean }): void;
  /** Exports an existing principal's keys to `keytab` (a new key version: older keytabs stop working). */
  exportKeytab(name: string, keytab: string): void;
  deletePrincipal(name: string): void;
  stop(): Promise<void>;
  process: ChildProcess;
}

const KDC_BINARIES = ['/usr/sbin/krb5kdc', '/usr/sbin/kdb5_util', '/usr/sbin/kadmin.local'];

export function kdcInstalled(): boolean {
  return KDC_BINARIES.every((b) => existsSync(b));
}

export interface KdcOptions {
  /** Run the KDC with its clock shifted (libfaketime's FAKETIME syntax, e.g. "+10m"), for clock skew tests. */
  clockOffset?: string;
}

export async function startKdc(opts: KdcOptions = {}): Promise<Kdc> {
  for (const b of KDC_BINARIES) if (!existsSync(b)) throw new Error(`${b} is missing: apt-get install -y krb5-kdc krb5-admin-server krb5-user`);
  const dir = mkdtempSync(join(tmpdir(), 'ecm-kdc-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  writeFileSync(
    krb5Conf,
    [
      '[libdefaults]',
      `  default_realm = ${REALM}`,
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      '  rdns = false',
      '  dns_canonicalize_hostname = false',
      '  udp_preference_limit = 1',
      // Clients take the KDC's clock as it is, as Windows does, rather than quietly correcting for its offset.
      '  kdc_timesync = 0',
      '[realms]',
      `  ${REALM} = {`,
      `    kdc = 127.0.0.1:${port}`,
      '  }',
      '[domain_realm]',
      `  localhost = ${REALM}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcConf,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '[realms]',
      `  ${REALM} = {`,
      `    database_name = ${join(dir, 'principal')}`,
      `    key_stash_file = ${join(dir, 'stash')}`,
      `    acl_file = ${join(dir, 'kadm5.acl')}`,
      '  }',
      '[logging]',
      `  kdc = FILE:${join(dir, 'kdc.log')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const env = { KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
  const childEnv = { ...process.env, ...env };
  execFileSync('/usr/sbin/kdb5_util', ['create', '-s', '-r', REALM, '-P', 'lab-master-key'], { env: childEnv, stdio: 'ignore' });
  const kadmin = (query: string) => execFileSync('/usr/sbin/kadmin.local', ['-r', REALM, '-q', query], { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const kdcArgs = ['/usr/sbin/krb5kdc', '-n', '-r', REALM, '-P', join(dir, 'kdc.pid')];
  if (opts.clockOffset && !existsSync('/usr/bin/faketime')) throw new Error('faketime is missing: apt-get install -y faketime');
  const [command, ...args] = opts.clockOffset ? ['/usr/bin/faketime', '-f', opts.clockOffset, ...kdcArgs] : kdcArgs;
  const child = spawn(command!, args, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.once('exit', () => (exited = true));
  await waitFor(async () => {
    if (exited) throw new Error(`krb5kdc exited at start: ${stderr.trim()}`);
    const { connect } = await import('node:net');
    return new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  }, 10_000, 'the KDC to listen');
  const exportKeytab = (name: string, keytab: string) => {
    kadmin(`ktadd -k ${keytab} ${name}@${REALM}`);
    chmodSync(keytab, 0o644);
  };
  return {
    realm: REALM,
    dir,
    port,
    krb5Conf,
    env: { KRB5_CONFIG: krb5Conf },
    addPrincipal(name, keytab, o) {
      kadmin(`addprinc -randkey ${o?.preauth ? '+requires_preauth ' : ''}${name}@${REALM}`);
      if (keytab) exportKeytab(name, keytab);
    },
    exportKeytab,
    deletePrincipal: (name) => void kadmin(`delprinc -force ${name}@${REALM}`),
    process: child,
    async stop() {
      await stopChild(child);
    },
  };
}
