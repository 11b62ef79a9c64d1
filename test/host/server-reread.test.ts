// The running agent follows the server's registry without a reload: `netsh winhttp set proxy` moves the revocation
// checks to the new proxy, and an upgrade of Entra Connect clears its finding. Real squids on loopback; the registry
// is a `reg export` file here (reg.exe runs in the Wine tests).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../agent/config/catalogue.js';
import { encodeWinHttpSettings } from '../../agent/host/winhttp.js';
import { createLogger } from '../../agent/log.js';
import { httpProbe } from '../../agent/probes/http/index.js';
import { Daemon } from '../../agent/run/daemon.js';
import { startLab, type Lab } from '../lab/lab.js';
import { startSquid, waitFor, type Squid } from '../lab/squid.js';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'host', name);
const CONNECTIONS = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections';

/** A `reg export` of the Connections key holding the bytes `netsh winhttp set proxy` writes for this proxy. */
function winHttpExport(proxy: string): string {
  const hex = [...encodeWinHttpSettings(proxy, '<local>')].map((b) => b.toString(16).padStart(2, '0')).join(',');
  return ['Windows Registry Editor Version 5.00', '', `[${CONNECTIONS}]`, `"WinHttpSettings"=hex:${hex}`, ''].join('\r\n');
}

let lab: Lab;
let other: Squid;

beforeAll(async () => {
  lab = await startLab();
  other = await startSquid({ hosts: lab.hosts });
}, 60_000);
afterAll(async () => {
  await other?.stop();
  await lab?.stop();
});

function agentFor(serverRereadMs: number) {
  const winhttp = join(lab.dir, `winhttp-${serverRereadMs}.reg`);
  const host = join(lab.dir, `host-${serverRereadMs}.reg`);
  writeFileSync(winhttp, winHttpExport(`127.0.0.1:${lab.squid.port}`));
  copyFileSync(fixture('server-all-problems.reg'), host);
  const keep = ['adminwebservice', 'digicert-crl3'];
  const configFile = lab.writeConfig({
    tls: lab.tls,
    probes: { schedule: '0 0 1 1 *', timeoutSeconds: 5 },
    idle: { enabled: false },
    catalogue: { exclude: loadCatalogue('china').endpoints.map((e) => e.id).filter((id) => !keep.includes(id)) },
    routes: [
      { name: 'corp', proxy: `http://127.0.0.1:${lab.squid.port}` },
      { name: 'winhttp', winhttp, carries: 'revocation' },
    ],
    host: { registry: [host] },
  });
  const lines: string[] = [];
  const daemon = new Daemon({ configFile, env: {}, logger: createLogger('info', { write: (l: string) => lines.push(l) }), probes: [httpProbe], serverRereadMs });
  return { daemon, winhttp, host, lines };
}

const codes = (daemon: Daemon) => daemon.host.findings.map((f) => f.code);
const winHttpProxy = (daemon: Daemon) => daemon.currentPlan.routes.find((r) => r.name === 'winhttp')!.proxyUrl;

describe('the server read again while the agent runs', () => {
  it('a new WinHTTP proxy takes the revocation checks to it, and an upgrade clears sync_version_unsupported', async () => {
    const { daemon, winhttp, host, lines } = agentFor(0);
    await daemon.start();
    try {
      await daemon.run('http');
      expect(codes(daemon)).toContain('sync_version_unsupported');
      expect(winHttpProxy(daemon)).toBe(`http://127.0.0.1:${lab.squid.port}`);
      // The admin runs `netsh winhttp set proxy` for the other proxy and upgrades Entra Connect.
      writeFileSync(winhttp, winHttpExport(`127.0.0.1:${other.port}`));
      copyFileSync(fixture('server-healthy.reg'), host);
      const before = readFileSync(other.accessLog, 'utf8').length;
      const results = await daemon.run('http');
      expect(winHttpProxy(daemon)).toBe(`http://127.0.0.1:${other.port}`);
      expect(results.filter((r) => r.target === 'digicert-crl3' || ('endpoint' in r && r.endpoint === 'digicert-crl3')).map((r) => [r.route, r.success])).toEqual([['winhttp', true]]);
      await waitFor(() => readFileSync(other.accessLog, 'utf8').slice(before).includes('GET http://crl3.digicert.com/ '), 5_000, 'the new WinHTTP proxy logging the certificate row');
      expect(codes(daemon)).not.toContain('sync_version_unsupported');
      expect(lines.some((l) => (JSON.parse(l) as { msg: string }).msg === 'WinHTTP proxy settings changed: the winhttp route is read again')).toBe(true);
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it('within the period, a change waits for the next read', async () => {
    const { daemon, winhttp, host } = agentFor(3_600_000);
    await daemon.start();
    try {
      await daemon.run('http');
      writeFileSync(winhttp, winHttpExport(`127.0.0.1:${other.port}`));
      copyFileSync(fixture('server-healthy.reg'), host);
      await daemon.run('http');
      expect(winHttpProxy(daemon)).toBe(`http://127.0.0.1:${lab.squid.port}`);
      expect(codes(daemon)).toContain('sync_version_unsupported');
    } finally {
      await daemon.stop();
    }
  }, 60_000);
});
