import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { InputError } from '../../agent/errors.js';
import { hostCheck } from '../../agent/host/check.js';
import { HOST_FINDING_CODES } from '../../agent/host/findings.js';
import { buildPlan, revocationRoute, routeGoesDirect } from '../../agent/plan/plan.js';

const hostFixture = (name: string) => join(__dirname, '..', 'fixtures', 'host', name);
const machineConfig = join(__dirname, '..', 'fixtures', 'machineconfig', 'valid-with-proxy.config'); // http://fabrikamproxy:8080
const AFTER_DEADLINE = new Date('2026-12-01T00:00:00Z');

function plan(config: Record<string, unknown>) {
  return buildPlan(parseConfig(stringify(config), 'test.yaml', {}), {});
}

describe('host findings from exported registries', () => {
  it('a server with every problem at once: each finding, in order, with Microsoft\'s words and the page', async () => {
    const p = plan({ routes: [{ name: 'corp', machineConfig }], host: { registry: [hostFixture('server-all-problems.reg')] } });
    const host = await hostCheck(p, { platform: 'linux', now: AFTER_DEADLINE });
    expect(host.skipped).toBeUndefined();
    expect(host.findings.map((f) => [f.code, f.severity])).toEqual([
      ['os_unsupported', 'warning'],
      ['sync_version_unsupported', 'error'],
      ['dotnet_too_old', 'error'],
      ['tls12_registry', 'error'],
      ['winhttp_direct_behind_proxy', 'error'],
    ]);
    const byCode = Object.fromEntries(host.findings.map((f) => [f.code, f]));
    expect(byCode.os_unsupported!.remedy).toContain('KB5070773');
    expect(byCode.sync_version_unsupported!.message).toContain('Microsoft Entra Connect Sync 2.4.18.0 is installed');
    expect(byCode.sync_version_unsupported!.message).toContain('will stop working on September 30, 2026 if you\'re not on at least version 2.5.79.0');
    expect(byCode.sync_version_unsupported!.message).toContain('That date has passed');
    expect(byCode.sync_version_unsupported!.remedy).toMatch(/^Microsoft Entra Connect: Prerequisites and hardware/);
    expect(byCode.dotnet_too_old!.message).toContain('.NET Framework 4.7.1 is installed (Release 461308)');
    // Each missing or wrong TLS value is named: 5 of 8 here.
    const tls = byCode.tls12_registry!;
    expect(tls.message).toContain('5 of the 8');
    expect(tls.message).toContain('WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319\\SchUseStrongCrypto is 0 (must be 1)');
    expect(tls.message).toContain('WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319\\SystemDefaultTlsVersions is missing');
    expect(tls.message).toContain('TLS 1.2\\Client\\DisabledByDefault is 1 (must be 0)');
    expect(tls.message).toContain('TLS 1.2\\Server\\Enabled is missing');
    expect(tls.message).not.toContain('SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319\\SchUseStrongCrypto');
    expect(tls.remedy).toMatch(/^TLS 1.2 enforcement for Microsoft Entra Connect/);
    expect(byCode.winhttp_direct_behind_proxy!.message).toContain('http://fabrikamproxy:8080');
    expect(byCode.winhttp_direct_behind_proxy!.remedy).toContain('netsh winhttp set proxy fabrikamproxy:8080');
    // The Health agent's entry (32-bit view, 4.5.x) does not count as the sync version.
    expect(host.facts!.sync.version).toBe('2.4.18.0');
    for (const f of host.findings) expect(HOST_FINDING_CODES).toContain(f.code);
  });

  it('a server with none: no findings, and the facts read', async () => {
    const p = plan({ routes: [{ name: 'corp', machineConfig }], host: { registry: [hostFixture('server-healthy.reg')] } });
    const host = await hostCheck(p, { platform: 'linux', now: AFTER_DEADLINE });
    expect(host.findings).toEqual([]);
    expect(host.facts).toMatchObject({ os: { build: 20348, version: 'server_2022' }, sync: { version: '2.5.79.0' }, dotnetRelease: 528040 });
    expect(host.facts!.winhttp.settings!.proxyServer).toBe('fabrikamproxy:8080');
  });

  it('before the deadline the message does not say it passed; TLS values are a warning outside 2.3.20.0-2.4.129.0', async () => {
    const p = plan({ routes: [{ name: 'corp', machineConfig }], host: { registry: [hostFixture('server-all-problems.reg'), hostFixture('sync-2.2.reg')] } });
    const host = await hostCheck(p, { platform: 'linux', now: new Date('2026-06-01T00:00:00Z') });
    const byCode = Object.fromEntries(host.findings.map((f) => [f.code, f]));
    expect(byCode.sync_version_unsupported!.message).not.toContain('That date has passed');
    expect(byCode.tls12_registry!.severity).toBe('warning');
  });

  it('WinHTTP through another proxy than machine.config: winhttp_differs', async () => {
    const p = plan({ routes: [{ name: 'corp', machineConfig }], host: { registry: [hostFixture('server-healthy.reg'), hostFixture('wine-export-connections.reg')] } });
    const host = await hostCheck(p, { platform: 'linux' });
    expect(host.findings.map((f) => [f.code, f.severity])).toEqual([['winhttp_differs', 'warning']]);
    expect(host.findings[0]!.message).toContain('http://proxy.contoso.com:8080');
  });

  it('no uninstall entry: sync_not_installed (info) and the server prerequisites not judged', async () => {
    const p = plan({ routes: [{ name: 'direct' }], host: { registry: [hostFixture('wine-export-connections.reg')] } });
    const host = await hostCheck(p, { platform: 'linux' });
    expect(host.findings.map((f) => [f.code, f.severity])).toEqual([['sync_not_installed', 'info']]);
  });

  it('off Windows without files: skipped with one line saying why', async () => {
    const host = await hostCheck(plan({ routes: [{ name: 'direct' }] }), { platform: 'linux' });
    expect(host.findings).toEqual([]);
    expect(host.skipped).toMatch(/^Entra Connect server checks skipped: this agent runs on linux, not on the server; .*host\.registry/);
    expect(host.skipped).not.toContain('\n');
  });

  it('off Windows a winhttp route still meets machine.config', async () => {
    const p = plan({ routes: [{ name: 'corp', machineConfig }, { name: 'winhttp', winhttp: hostFixture('server-all-problems.reg') }] });
    const host = await hostCheck(p, { platform: 'linux' });
    expect(host.skipped).toBeDefined();
    expect(host.findings.map((f) => f.code)).toEqual(['winhttp_direct_behind_proxy']);
  });
});

describe('the winhttp route', () => {
  it('takes WinHTTP\'s proxy and bypass list from an exported file; revocation goes through it by default', () => {
    const p = plan({ routes: [{ name: 'corp', proxy: 'http://127.0.0.1:3128' }, { name: 'own', proxy: 'http://127.0.0.1:3129', revocation: 'self' }, { name: 'winhttp', winhttp: hostFixture('wine-export-connections.reg') }] });
    const winhttp = p.routes.find((r) => r.name === 'winhttp')!;
    expect(winhttp).toMatchObject({ kind: 'winhttp', proxyUrl: 'http://proxy.contoso.com:8080', proxy: { host: 'proxy.contoso.com', port: 8080 } });
    expect(routeGoesDirect(winhttp, new URL('http://app.contoso.com/'))).toBe(true);
    expect(routeGoesDirect(winhttp, new URL('http://crl.microsoft.com/'))).toBe(false);
    expect(revocationRoute(p.routes, p.routes[0]!).name).toBe('winhttp');
    expect(revocationRoute(p.routes, p.routes[1]!).name).toBe('own');
  });

  it('carries the catalogue\'s certificate rows for the routes that send it their revocation checks, once', () => {
    const p = plan({ routes: [{ name: 'corp', proxy: 'http://127.0.0.1:3128' }, { name: 'second', proxy: 'http://127.0.0.1:3130' }, { name: 'own', proxy: 'http://127.0.0.1:3129', revocation: 'self' }, { name: 'winhttp', winhttp: hostFixture('wine-export-connections.reg'), carries: 'revocation' }] });
    const routesOf = (category: string) => [...new Set(p.targets.filter((t) => t.endpoint.category === category).map((t) => t.route.name))];
    expect(routesOf('certificate')).toEqual(['winhttp', 'own']);
    expect(routesOf('directory')).toEqual(['corp', 'second', 'own']);
    const crl = p.targets.filter((t) => t.endpoint.id === 'mscrl');
    expect(crl.map((t) => [t.route.name, t.via])).toEqual([['winhttp', 'proxy'], ['own', 'proxy']]);
    // Carrying every probe (the default), the winhttp route is also one of the routes whose revocation it takes.
    const all = plan({ routes: [{ name: 'corp', proxy: 'http://127.0.0.1:3128' }, { name: 'winhttp', winhttp: hostFixture('wine-export-connections.reg') }] });
    expect([...new Set(all.targets.filter((t) => t.endpoint.category === 'directory').map((t) => t.route.name))]).toEqual(['corp', 'winhttp']);
    expect(all.targets.filter((t) => t.endpoint.id === 'mscrl').map((t) => t.route.name)).toEqual(['winhttp']);
  });

  it('carries: revocation is for a winhttp route, and some route must carry every probe', () => {
    const attempt = (routes: unknown[]) => {
      try {
        parseConfig(stringify({ routes }), 'test.yaml', {});
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(attempt([{ name: 'a', proxy: 'http://a:1' }, { name: 'b', proxy: 'http://b:1', carries: 'revocation' }])).toMatch(/^test\.yaml: routes\[1\]\.carries: only a winhttp route can carry just the revocation checks/);
    expect(attempt([{ name: 'w', winhttp: 'x.reg', carries: 'revocation' }])).toMatch(/^test\.yaml: routes\[0\]\.carries: no route carries all probes/);
  });

  it('is direct when WinHTTP is direct', () => {
    const p = plan({ routes: [{ name: 'winhttp', winhttp: hostFixture('server-all-problems.reg') }] });
    expect(p.routes[0]!.kind).toBe('winhttp');
    expect(p.routes[0]!.proxy).toBeUndefined();
    expect(p.targets.every((t) => t.via === 'direct')).toBe(true);
  });

  it('bad input: one line naming the file, the key and the problem', () => {
    const attempt = (winhttp: string) => {
      try {
        plan({ routes: [{ name: 'winhttp', winhttp }] });
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(attempt('registry')).toMatch(/^test\.yaml: routes\[0\]\.winhttp: "registry" reads the live Windows registry, and this is linux/);
    expect(attempt('/nonexistent.reg')).toBe('test.yaml: routes[0].winhttp: /nonexistent.reg: cannot read (ENOENT)');
    expect(attempt(hostFixture('README.md'))).toMatch(/^test\.yaml: routes\[0\]\.winhttp: .*README\.md: is not a registry export/);
    expect(attempt(hostFixture('sync-2.2.reg'))).toMatch(/has no \[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\] key/);
    expect(() => parseConfig(stringify({ routes: [{ name: 'x', proxy: 'http://a:1', winhttp: 'f.reg' }] }), 'test.yaml', {})).toThrow(/at most one of proxy, machineConfig and winhttp/);
  });
});

describe('host metrics', () => {
  it('host_info in closed and numeric forms, one host_finding series per code, route_info with the revocation path', async () => {
    const { AgentMetrics } = await import('../../agent/export/metrics.js');
    const p = plan({ routes: [{ name: 'corp', machineConfig }, { name: 'winhttp', winhttp: hostFixture('server-all-problems.reg') }], host: { registry: [hostFixture('server-all-problems.reg')] } });
    const metrics = new AgentMetrics();
    await metrics.applyPlan(p);
    metrics.recordHost(await hostCheck(p, { platform: 'linux' }));
    const text = await metrics.render(false);
    expect(text).toContain('entra_connect_host_info{os_version="server_2025",sync_version="2.4.18.0",dotnet_release="461308"} 1');
    expect(text).toContain('entra_connect_host_finding{code="sync_version_unsupported"} 1');
    expect(text).toContain('entra_connect_host_finding{code="winhttp_direct_behind_proxy"} 1');
    expect(text).toContain('entra_connect_host_finding{code="sync_not_installed"} 0');
    expect(text.match(/^entra_connect_host_finding\{/gm)).toHaveLength(HOST_FINDING_CODES.length);
    expect(text).toContain('entra_connect_route_info{route="corp",kind="machine_config",revocation="winhttp"} 1');
    expect(text).toContain('entra_connect_route_info{route="winhttp",kind="winhttp",revocation="winhttp"} 1');
    // A skipped host exports nothing about the host.
    metrics.recordHost(await hostCheck(plan({ routes: [{ name: 'direct' }] }), { platform: 'linux' }));
    const after = await metrics.render(false);
    expect(after).not.toMatch(/^entra_connect_host_(info|finding)\{/m);
  });
});
