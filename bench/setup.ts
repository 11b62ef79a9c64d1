// The bench's own loopback set-up: a test CA, an HTTPS server (and an HTTP one for the catalogue's revocation hosts)
// on ports 443/80 of a loopback address of its own, whose answers wait ?delayMs=N, a real squid whose hosts file
// points every catalogue name, the bench names and the 1,000 scale names at it, and blackbox_exporter with a module
// that goes through the same squid and trusts the same CA.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createTestCa, type TestCa } from '../test/lab/ca.js';
import { stopChild } from '../test/lab/child.js';
import { onFreeLoopback, startHttp, startHttps, type Running } from '../test/lab/servers.js';
import { freePort, startSquid, type Squid } from '../test/lab/squid.js';
import { get, ROOT, until } from './lib.js';

export const DELAY_HOST = 'delay.bench.lab.test';
export const scaleHost = (i: number) => `e${String(i).padStart(4, '0')}.scale.lab.test`;
export const BLACKBOX_BINARY = '/usr/bin/prometheus-blackbox-exporter';
export const SQUID_USER = 'svc-bench';
export const SQUID_PASSWORD = 'bench-only-password';

export interface Blackbox {
  pid: number;
  port: number;
  /** Runs one probe; the phases are blackbox's own probe_http_duration_seconds. */
  probe(target: string): Promise<BlackboxProbe>;
  stop(): Promise<void>;
}

export interface BlackboxProbe {
  success: boolean;
  durationSeconds: number;
  phases: Record<string, number>;
}

export interface BenchSetup {
  address: string;
  ca: TestCa;
  squid: Squid;
  blackbox: Blackbox;
  dir: string;
  passwordFile: string;
  stop(): Promise<void>;
}

/** Every host name in the shipped catalogues (the default configuration probes them). */
function catalogueHosts(): string[] {
  const dir = join(ROOT, 'config', 'endpoints');
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const doc = parseYaml(readFileSync(join(dir, file), 'utf8')) as { endpoints?: Array<{ url: string }> };
    for (const e of doc.endpoints ?? []) names.add(new URL(e.url).hostname);
  }
  return [...names];
}


function parseProbe(text: string): BlackboxProbe {
  const phases: Record<string, number> = {};
  let success = false;
  let durationSeconds = Number.NaN;
  for (const line of text.split('\n')) {
    const phase = /^probe_http_duration_seconds\{phase="(\w+)"\} (\S+)/.exec(line);
    if (phase) phases[phase[1]!] = Number(phase[2]);
    else if (line.startsWith('probe_success ')) success = line.endsWith(' 1');
    else if (line.startsWith('probe_duration_seconds ')) durationSeconds = Number(line.split(' ')[1]);
  }
  return { success, durationSeconds, phases };
}

async function startBlackbox(dir: string, squidPort: number, caFile: string): Promise<Blackbox> {
  const configFile = join(dir, 'blackbox.yml');
  writeFileSync(
    configFile,
    [
      'modules:',
      '  bench_https:',
      '    prober: http',
      '    timeout: 10s',
      '    http:',
      '      preferred_ip_protocol: ip4',
      `      proxy_url: "http://127.0.0.1:${squidPort}"`,
      '      skip_resolve_phase_with_proxy: true',
      '      valid_status_codes: [200]',
      '      tls_config:',
      `        ca_file: "${caFile}"`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(BLACKBOX_BINARY, [`--config.file=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const base = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (exited) throw new Error(`blackbox_exporter exited at start: ${stderr}`);
    try {
      return (await get(`${base}/-/healthy`, 1000)).status === 200;
    } catch {
      return false;
    }
  }, 15_000, 'blackbox_exporter to listen', 50);
  return {
    pid: child.pid!,
    port,
    async probe(target) {
      const { body } = await get(`${base}/probe?module=bench_https&target=${encodeURIComponent(target)}`);
      return parseProbe(body);
    },
    async stop() {
      await stopChild(child);
    },
  };
}

export async function startSetup(scaleEndpoints: number): Promise<BenchSetup> {
  const ca = createTestCa();
  const names = catalogueHosts();
  const pair = ca.issue('bench-server', [...names, '*.bench.lab.test', '*.scale.lab.test']);
  const { address, value: servers } = await onFreeLoopback(async (addr): Promise<[Running, Running]> => {
    const https = await startHttps(pair, addr, 443);
    try {
      return [https, await startHttp(addr, 80)];
    } catch (err) {
      await https.close();
      throw err;
    }
  });
  const hosts: Record<string, string> = {};
  for (const n of [...names, DELAY_HOST]) hosts[n] = address;
  for (let i = 1; i <= scaleEndpoints; i++) hosts[scaleHost(i)] = address;
  const squid = await startSquid({ hosts, users: { [SQUID_USER]: SQUID_PASSWORD } });
  const dir = mkdtempSync(join(tmpdir(), 'ecm-bench-'));
  const passwordFile = join(dir, 'proxy-password');
  writeFileSync(passwordFile, `${SQUID_PASSWORD}\n`);
  const blackbox = await startBlackbox(dir, squid.port, ca.certFile);
  return {
    address,
    ca,
    squid,
    blackbox,
    dir,
    passwordFile,
    async stop() {
      await blackbox.stop();
      await squid.stop();
      for (const s of servers) await s.close();
    },
  };
}
