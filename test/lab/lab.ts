// The loopback lab most integration tests share: a test CA, one HTTPS and one HTTP "Microsoft" server on ports 443
// and 80 of a loopback address of their own (127.x.y.z, so test files running at once never collide), and a real
// squid whose hosts file points every catalogue name at them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { availableClouds, loadCatalogue } from '../../agent/config/catalogue.js';
import { createTestCa, type TestCa } from './ca.js';
import { LAB_REVOCATION, startRevocationServer } from './revocation.js';
import { onFreeLoopback, startHttp, startHttps, type Handler, type Tracked } from './servers.js';
import { startSquid, type Squid, type SquidOptions } from './squid.js';

export interface Lab {
  address: string;
  ca: TestCa;
  https: Tracked;
  http: Tracked;
  squid: Squid;
  /** Every catalogue host name (all clouds) plus extra lab names, each -> address. */
  hosts: Record<string, string>;
  dir: string;
  /** The lab's trust settings: its CA trusted (caFile) and expected as the root Microsoft's names chain to. */
  tls: { caFile: string; expectedRootsFile: string };
  /** Writes a YAML config into the lab's dir and returns its path. */
  writeConfig(config: Record<string, unknown>, name?: string): string;
  stop(): Promise<void>;
}

export function catalogueHosts(): string[] {
  const names = new Set<string>();
  for (const cloud of availableClouds()) {
    try {
      for (const e of loadCatalogue(cloud).endpoints) names.add(e.host);
    } catch {
      // a cloud whose catalogue is not there yet
    }
  }
  return [...names];
}


export interface LabOptions extends Omit<SquidOptions, 'hosts'> {
  extraHosts?: string[];
  /** What the HTTPS server on port 443 answers (default: 200 "ok" to everything). */
  httpsHandler?: Handler;
  /** Squid asks port 53 of the lab's own address for names not in its hosts file (start a fake DNS there). */
  dnsOnLabAddress?: boolean;
  /**
   * The HTTPS server's certificate comes from an intermediate and names a CRL (LAB_REVOCATION.leafCrl) and an OCSP
   * responder (LAB_REVOCATION.ocsp) on catalogue hosts; the HTTP server on port 80 answers them as a CA does.
   */
  revocation?: boolean;
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const ca = createTestCa();
  const names = [...catalogueHosts(), ...(opts.extraHosts ?? [])];
  const issuer = opts.revocation ? ca.intermediate('issuing') : undefined;
  const serverPair = issuer ? issuer.issue('microsoft', names, { crl: [LAB_REVOCATION.leafCrl], ocsp: [LAB_REVOCATION.ocsp] }) : ca.issue('microsoft', names);
  const { address, value: https } = await onFreeLoopback((addr) => startHttps(serverPair, addr, 443, opts.httpsHandler));
  const http = issuer ? await startRevocationServer(issuer, address, 80) : await startHttp(address, 80);
  const hosts = Object.fromEntries(names.map((n) => [n, address]));
  const squid = await startSquid({ ...opts, hosts, dnsNameserver: opts.dnsOnLabAddress ? address : opts.dnsNameserver });
  const dir = mkdtempSync(join(tmpdir(), 'ecm-lab-'));
  return {
    address,
    ca,
    https,
    http,
    squid,
    hosts,
    dir,
    tls: { caFile: ca.certFile, expectedRootsFile: ca.certFile },
    writeConfig(config, name = `agent-${Math.random().toString(36).slice(2)}.yaml`) {
      const file = join(dir, name);
      writeFileSync(file, stringify(config));
      return file;
    },
    async stop() {
      await squid.stop();
      await https.close();
      await http.close();
    },
  };
}
