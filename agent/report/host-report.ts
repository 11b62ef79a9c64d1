// The host section of `check`: the Entra Connect server's facts, then its findings, first in the report.
import type { HostCheck } from '../host/check.js';
import { dotnetVersionOf } from '../host/findings.js';
import type { WinHttpSettings } from '../host/winhttp.js';

function winHttpJson(settings: WinHttpSettings | undefined) {
  if (!settings) return { direct: true, proxyServer: null, bypassList: null };
  return { direct: settings.direct, proxyServer: settings.direct ? null : settings.proxyServer, bypassList: settings.direct ? null : settings.bypassList || null };
}

export function hostJson(host: HostCheck): unknown {
  const f = host.facts;
  return {
    source: host.source ?? null,
    skipped: host.skipped ?? null,
    findings: host.findings,
    facts: f
      ? {
          os: { productName: f.os.productName ?? null, build: f.os.build ?? null, version: f.os.version },
          sync: { version: f.sync.version ?? null, displayName: f.sync.displayName ?? null, entries: f.sync.entries },
          dotnet: { release: f.dotnetRelease ?? null, version: f.dotnetRelease !== undefined ? dotnetVersionOf(f.dotnetRelease) : null },
          tls12: f.tls12.map((v) => ({ key: v.key, name: v.name, expected: v.expected, actual: v.actual ?? null })),
          winhttp: f.winhttp.error ? { error: f.winhttp.error } : f.winhttp.keyFound || f.winhttp.present ? winHttpJson(f.winhttp.settings) : null,
        }
      : null,
  };
}

export function hostText(host: HostCheck): string[] {
  if (host.skipped && host.findings.length === 0) return [host.skipped];
  const out: string[] = [];
  const f = host.facts;
  if (f) {
    out.push(`Entra Connect server (${f.source})`);
    out.push(`  Windows: ${f.os.productName ?? 'unknown'}${f.os.build !== undefined ? ` (build ${f.os.build})` : ''}`);
    out.push(`  Entra Connect Sync: ${f.sync.version ? `${f.sync.displayName} ${f.sync.version}` : f.sync.displayName ?? 'not installed'}`);
    out.push(`  .NET Framework: ${f.dotnetRelease !== undefined ? `${dotnetVersionOf(f.dotnetRelease)} (Release ${f.dotnetRelease})` : 'no 4.x release found'}`);
    const tlsOk = f.tls12.filter((v) => v.actual === v.expected).length;
    out.push(`  TLS 1.2 registry values: ${tlsOk} of ${f.tls12.length} as Microsoft lists them`);
    const w = f.winhttp;
    out.push(`  WinHTTP: ${w.error ? `unreadable (${w.error})` : !w.keyFound && !w.present ? 'not in the registry read' : w.settings && !w.settings.direct ? `proxy ${w.settings.proxyServer}${w.settings.bypassList ? `, bypass ${w.settings.bypassList}` : ''}` : 'direct'}`);
  } else {
    if (host.skipped) out.push(host.skipped);
    out.push('Entra Connect server');
  }
  for (const finding of host.findings) out.push(`  ${finding.severity.toUpperCase()} ${finding.code}: ${finding.message}`, `    What to do: ${finding.remedy}`);
  return out;
}
