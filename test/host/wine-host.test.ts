// Under real Wine: the registry values written with Wine's `reg add`, the agent's `check --json` run by the Windows
// build of Node, reading them live through reg.exe. Probes go to the loopback lab (a squid named by machine.config,
// a second squid named by WinHTTP), never further. The lab's chain names a CRL and an OCSP responder on catalogue
// hosts, so the revocation checks (and the catalogue's certificate rows) show which way Windows would fetch them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../agent/config/catalogue.js';
import { encodeWinHttpSettings } from '../../agent/host/winhttp.js';
import { startLab, type Lab } from '../lab/lab.js';
import { LAB_REVOCATION } from '../lab/revocation.js';
import { startSquid, waitFor, type Squid } from '../lab/squid.js';
import { createPrefix, treeAgentArgs, zPath as windowsPath, type WinePrefix } from '../lab/wine.js';

const OS = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
const UNINSTALL = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{C3A2B8F6-0000-4000-8000-000000000001}';
const DOTNET = 'HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full';
const CONNECTIONS = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections';
const NET64 = 'HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319';
const NET32 = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319';
const SCHANNEL = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2';

interface HostJson {
  host: { source: string; findings: Array<{ code: string; severity: string; message: string }>; facts: { sync: { version: string | null }; os: { version: string }; winhttp: { direct: boolean; proxyServer: string | null } | null } };
  routes: Array<{ route: string; proxy: string | null; findings: unknown[] }>;
  results: Array<{ endpoint: string; route: string; via: string; success: boolean; reason: string | null }>;
  revocation?: Array<{ endpoint: string | null; type: string; url: string; route: string; via: string; success: boolean; servedOver: string[] }>;
}

/** What went which way: [route, via, success] for the HTTPS row, the certificate rows and the revocation fetches. */
function ways(json: HostJson) {
  const rows = (ids: string[]) => [...new Set(json.results.filter((r) => ids.includes(r.endpoint)).map((r) => `${r.route} ${r.via} ${r.success}`))];
  return {
    https: rows(['adminwebservice']),
    certificateRows: rows(CERTIFICATE_ROWS),
    revocation: [...new Set((json.revocation ?? []).map((r) => `${r.route} ${r.via} ${r.success}`))],
    revocationUrls: (json.revocation ?? []).map((r) => `${r.type} ${r.url} ${r.endpoint}`).sort(),
  };
}

const CERTIFICATE_ROWS = ['digicert-crl3', 'digicert-ocsp'];
const FETCHED = [`crl ${LAB_REVOCATION.leafCrl} digicert-crl3`, `ocsp ${LAB_REVOCATION.ocsp} digicert-ocsp`];

let lab: Lab;
let winhttpSquid: Squid;
let wine: WinePrefix;
let configFile: string;

async function setServer(opts: { os: [string, string]; sync: string; release: number; tls: boolean; winhttp?: [string, string] }): Promise<void> {
  await wine.regAdd(OS, 'ProductName', 'REG_SZ', opts.os[0]);
  await wine.regAdd(OS, 'InstallationType', 'REG_SZ', 'Server');
  await wine.regAdd(OS, 'CurrentBuildNumber', 'REG_SZ', opts.os[1]);
  await wine.regAdd(UNINSTALL, 'DisplayName', 'REG_SZ', 'Microsoft Entra Connect Sync');
  await wine.regAdd(UNINSTALL, 'DisplayVersion', 'REG_SZ', opts.sync);
  await wine.regAdd(DOTNET, 'Release', 'REG_DWORD', String(opts.release));
  for (const key of [NET64, NET32]) {
    for (const name of ['SystemDefaultTlsVersions', 'SchUseStrongCrypto']) {
      if (opts.tls) await wine.regAdd(key, name, 'REG_DWORD', '1');
      else await wine.regDelete(key, name);
    }
  }
  for (const side of ['Client', 'Server']) {
    await wine.regAdd(`${SCHANNEL}\\${side}`, 'Enabled', 'REG_DWORD', '1');
    await wine.regAdd(`${SCHANNEL}\\${side}`, 'DisabledByDefault', 'REG_DWORD', opts.tls ? '0' : '1');
  }
  // netsh winhttp set proxy writes nothing under Wine 8: the bytes it writes on Windows go in with reg add.
  await wine.regAdd(CONNECTIONS, 'WinHttpSettings', 'REG_BINARY', encodeWinHttpSettings(opts.winhttp?.[0], opts.winhttp?.[1]).toString('hex'));
}

async function check(): Promise<{ code: number | null; json: HostJson }> {
  const { status: code, stdout, stderr } = await wine.run(treeAgentArgs('check', '--json', '--config', windowsPath(configFile)), { timeoutMs: 180_000 });
  try {
    return { code, json: JSON.parse(stdout) as HostJson };
  } catch {
    throw new Error(`check --json under Wine printed no JSON (exit ${code}): ${stdout.slice(0, 1000)} ${stderr.slice(0, 1000)}`);
  }
}

/** The text report an admin reads, for the same server. */
async function checkText(): Promise<{ code: number | null; text: string }> {
  const { status: code, stdout } = await wine.run(treeAgentArgs('check', '--config', windowsPath(configFile)), { timeoutMs: 180_000 });
  return { code, text: stdout.replace(/\r\n/g, '\n') };
}

/** The squid access-log lines written while `during` ran. */
async function logged(squid: Squid, during: () => Promise<void>): Promise<string> {
  const before = readFileSync(squid.accessLog, 'utf8').length;
  await during();
  return readFileSync(squid.accessLog, 'utf8').slice(before);
}

beforeAll(async () => {
  lab = await startLab({ revocation: true });
  winhttpSquid = await startSquid({ hosts: lab.hosts });
  wine = await createPrefix();
  const machineConfig = join(lab.dir, 'machine.config');
  const original = readFileSync(join(__dirname, '..', 'fixtures', 'machineconfig', 'valid-with-proxy.config'), 'utf8');
  // The lab's squid asks for no sign-in; without useDefaultCredentials the route needs no Kerberos package, which a
  // Linux-built node_modules cannot give node.exe.
  writeFileSync(machineConfig, original.replace('http://fabrikamproxy:8080', `http://127.0.0.1:${lab.squid.port}`).replace('useDefaultCredentials="true"', 'useDefaultCredentials="false"'));
  const keep = ['adminwebservice', ...CERTIFICATE_ROWS];
  configFile = lab.writeConfig({
    tls: { caFile: windowsPath(lab.ca.certFile), expectedRootsFile: windowsPath(lab.ca.certFile) },
    probes: { timeoutSeconds: 10, concurrency: 2 },
    idle: { enabled: false },
    catalogue: { exclude: loadCatalogue('china').endpoints.map((e) => e.id).filter((id) => !keep.includes(id)) },
    resolve: lab.hosts, // the winhttp route goes direct when WinHTTP is direct: to the lab, not the world
    routes: [
      { name: 'corp', machineConfig: windowsPath(machineConfig) },
      // As on a server with no routes configured: WinHTTP carries only what CryptoAPI fetches.
      { name: 'winhttp', winhttp: 'registry', carries: 'revocation' },
    ],
  });
}, 240_000);

afterAll(async () => {
  await wine?.close();
  await winhttpSquid?.stop();
  await lab?.stop();
});

describe('host checks under Wine with the Windows build of Node', () => {
  it('a server with every problem at once: the findings, and a direct winhttp route', async () => {
    await setServer({ os: ['Windows Server 2025 Datacenter', '26100'], sync: '2.4.18.0', release: 461308, tls: false });
    const { code, json } = await check();
    expect(code).toBe(1);
    expect(json.host.source).toBe('the registry (reg.exe)');
    expect(json.host.findings.map((f) => [f.code, f.severity])).toEqual([
      ['os_unsupported', 'warning'],
      ['sync_version_unsupported', 'error'],
      ['dotnet_too_old', 'error'],
      ['tls12_registry', 'error'],
      ['winhttp_direct_behind_proxy', 'error'],
    ]);
    expect(json.host.findings.find((f) => f.code === 'tls12_registry')!.message).toContain('6 of the 8');
    expect(json.host.facts.sync.version).toBe('2.4.18.0');
    expect(json.routes.find((r) => r.route === 'winhttp')!.proxy).toBeNull();
    // machine.config's proxy for the sync engine's HTTPS; WinHTTP (direct) for what CryptoAPI fetches.
    expect(ways(json)).toEqual({ https: ['corp proxy true'], certificateRows: ['winhttp direct true'], revocation: ['winhttp direct true'], revocationUrls: FETCHED });
    const { code: textCode, text } = await checkText();
    expect(textCode).toBe(1);
    for (const code of ['os_unsupported', 'sync_version_unsupported', 'dotnet_too_old', 'tls12_registry', 'winhttp_direct_behind_proxy']) expect(text).toContain(code);
    expect(text).toContain('September 30, 2026');
    // The server's own problems come before the network's, as the article orders them.
    expect(text.indexOf('sync_version_unsupported')).toBeLessThan(text.indexOf('Certificate revocation'));
  }, 240_000);

  it('a server with none: no host findings, exit 0, WinHTTP through the same proxy as machine.config', async () => {
    await setServer({ os: ['Windows Server 2022 Datacenter', '20348'], sync: '2.5.79.0', release: 528040, tls: true, winhttp: [`127.0.0.1:${lab.squid.port}`, '<local>'] });
    const { code, json } = await check();
    expect(json.host.findings).toEqual([]);
    expect(json.routes.flatMap((r) => r.findings)).toEqual([]);
    expect(code).toBe(0);
    expect(json.host.facts.os.version).toBe('server_2022');
    expect(json.routes.find((r) => r.route === 'winhttp')!.proxy).toBe(`http://127.0.0.1:${lab.squid.port}`);
    expect(ways(json)).toEqual({ https: ['corp proxy true'], certificateRows: ['winhttp proxy true'], revocation: ['winhttp proxy true'], revocationUrls: FETCHED });
    const { code: textCode, text } = await checkText();
    expect(textCode).toBe(0);
    expect(text).not.toMatch(/sync_version_unsupported|dotnet_too_old|tls12_registry|winhttp_direct_behind_proxy|os_unsupported/);
  }, 240_000);

  it('WinHTTP naming another squid: winhttp_differs, and revocation goes through that squid while machine.config\'s route keeps its own', async () => {
    await setServer({ os: ['Windows Server 2022 Datacenter', '20348'], sync: '2.5.79.0', release: 528040, tls: true, winhttp: [`127.0.0.1:${winhttpSquid.port}`, '<local>;*.contoso.com'] });
    let json: HostJson | undefined;
    let corpLog = '';
    const winhttpLog = await logged(winhttpSquid, async () => {
      corpLog = await logged(lab.squid, async () => {
        json = (await check()).json;
        // squid writes its log line when the exchange ends: wait for the last ones, bounded.
        await waitFor(() => readFileSync(winhttpSquid.accessLog, 'utf8').includes(`POST ${LAB_REVOCATION.ocsp}`), 5_000, 'the WinHTTP squid logging the OCSP request');
      });
    });
    expect(json!.host.findings.map((f) => [f.code, f.severity])).toEqual([['winhttp_differs', 'warning']]);
    expect(ways(json!)).toEqual({ https: ['corp proxy true'], certificateRows: ['winhttp proxy true'], revocation: ['winhttp proxy true'], revocationUrls: FETCHED });
    // The squid WinHTTP names saw what CryptoAPI fetches: the catalogue's certificate rows, the chain's CRL (a GET)
    // and its OCSP request (a POST); the machine.config squid saw the sync engine's HTTPS and none of those.
    for (const line of ['GET http://crl3.digicert.com/ ', 'GET http://ocsp.digicert.com/ ', `GET ${LAB_REVOCATION.leafCrl} `, `POST ${LAB_REVOCATION.ocsp} `]) expect(winhttpLog).toContain(line);
    expect(winhttpLog).not.toContain('CONNECT adminwebservice');
    expect(corpLog).toContain('CONNECT adminwebservice.partner.microsoftonline.cn:443');
    expect(corpLog).not.toMatch(/digicert\.com/);
  }, 240_000);
});
