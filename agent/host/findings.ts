// Host facts -> findings (source `host`), in the order an admin fixes them: the Windows version, the sync version,
// .NET, TLS 1.2, then WinHTTP against machine.config. Remedies quote Microsoft's pages and name them.
import type { Finding } from '../finding.js';
import { compareVersions, type HostFacts } from './facts.js';
import { winHttpProxyUrl, type WinHttpSettings } from './winhttp.js';

/** Closed set of host finding codes (the `code` label of entra_connect_host_finding), in report order. */
export const HOST_FINDING_CODES = [
  'os_unsupported',
  'sync_version_unsupported',
  'sync_not_installed',
  'dotnet_too_old',
  'tls12_registry',
  'winhttp_direct_behind_proxy',
  'winhttp_differs',
  'registry_unreadable',
] as const;
export type HostFindingCode = (typeof HOST_FINDING_CODES)[number];

export const MANDATORY_SYNC_VERSION = '2.5.79.0';
export const MANDATORY_SYNC_DEADLINE = '2026-09-30';
/** .NET Framework 4.7.2's Release value ("How to: Determine which .NET Framework versions are installed"). */
export const DOTNET_472_RELEASE = 461808;
export const TLS12_REQUIRED_FROM = '2.3.20.0';
export const TLS12_REQUIRED_TO = '2.4.129.0';

const PREREQ_PAGE = 'Microsoft Entra Connect: Prerequisites and hardware (learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-install-prerequisites)';
const TLS_PAGE = 'TLS 1.2 enforcement for Microsoft Entra Connect (learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-tls-enforcement)';
const WINHTTP_PAGE = 'Use Group Policy to apply WinHTTP proxy settings to Windows clients (learn.microsoft.com/troubleshoot/windows-client/networking/use-group-policy-apply-winhttp-proxy-settings)';
const MANDATORY_WORDS = `"All synchronization services in Microsoft Entra Connect Sync will stop working on September 30, 2026 if you're not on at least version 2.5.79.0."`;
const MINIMUM_WORDS = '"Make sure you meet the minimum requirements including .NET Framework 4.7.2 and TLS 1.2."';

// Release values of .NET Framework 4.x, to name the version a server has.
const DOTNET_RELEASES: ReadonlyArray<[number, string]> = [
  [533320, '4.8.1'],
  [528040, '4.8'],
  [461808, '4.7.2'],
  [461308, '4.7.1'],
  [460798, '4.7'],
  [394802, '4.6.2'],
  [394254, '4.6.1'],
  [393295, '4.6'],
  [379893, '4.5.2'],
  [378675, '4.5.1'],
  [378389, '4.5'],
];

export function dotnetVersionOf(release: number): string {
  return DOTNET_RELEASES.find(([min]) => release >= min)?.[1] ?? 'older than 4.5';
}

/** A route whose proxy comes from machine.config, as the sync engine reads it. */
export interface MachineConfigProxy {
  route: string;
  path: string;
  /** http://host:port, or undefined when machine.config sends the sync engine direct. */
  proxy?: string;
}

function finding(code: HostFindingCode, severity: Finding['severity'], message: string, remedy: string): Finding {
  return { code, severity, message, remedy };
}

/** WinHTTP's settings as the comparison with machine.config needs them; `settings` undefined means direct. */
export interface WinHttpView {
  description: string;
  settings?: WinHttpSettings;
}

/** The server's findings; `winhttp` undefined when WinHTTP's setting is not known (not in the exported files). */
export function hostFindings(facts: HostFacts, machineConfigs: MachineConfigProxy[], winhttp: WinHttpView | undefined, now: Date = new Date()): Finding[] {
  const out: Finding[] = [];
  const version = facts.sync.version;
  if (facts.sync.entries.length > 0) {
    const os = facts.os;
    const osName = `${os.productName ?? 'Windows'} (build ${os.build ?? 'unknown'})`;
    if (os.version === 'server_2025') {
      out.push(
        finding(
          'os_unsupported',
          'warning',
          `${osName} is Windows Server 2025, which the prerequisites page says is not supported: "There is a known issue on Windows Server 2025 that can cause Microsoft Entra Connect Sync to encounter synchronization problems."`,
          `${PREREQ_PAGE}: "If you upgraded to Windows Server 2025, make sure you have installed October 20, 2025 - KB5070773 update, or later. After installing this update, restart the server for the changes to take effect."`,
        ),
      );
    } else if (os.version === 'server_older') {
      out.push(
        finding(
          'os_unsupported',
          'error',
          `${osName} is older than Windows Server 2016.`,
          `${PREREQ_PAGE}: "Microsoft Entra Connect must be installed on a domain-joined server that runs Windows Server 2022, Windows Server 2019, or Windows Server 2016. We recommend Windows Server 2022."`,
        ),
      );
    }
  }

  if (facts.sync.entries.length === 0) {
    out.push(
      finding(
        'sync_not_installed',
        'info',
        `No Microsoft Entra Connect Sync uninstall entry (a DisplayName starting with "Microsoft Entra Connect" or "Microsoft Azure AD Connect") in the 64- or 32-bit view of ${facts.source}: the agent runs on another machine. The server prerequisites (Windows version, .NET, TLS 1.2) were not judged.`,
        'Nothing to do when the agent runs beside the Entra Connect server. To check the server from here, export its keys there with `reg export` and list the files in host.registry.',
      ),
    );
  } else if (!version) {
    out.push(finding('sync_version_unsupported', 'warning', `${facts.sync.displayName} has no DisplayVersion, so its version cannot be compared with ${MANDATORY_SYNC_VERSION}.`, `${PREREQ_PAGE}: ${MANDATORY_WORDS}`));
  } else if (compareVersions(version, MANDATORY_SYNC_VERSION) < 0) {
    const passed = now.getTime() >= Date.parse(`${MANDATORY_SYNC_DEADLINE}T00:00:00Z`);
    out.push(
      finding(
        'sync_version_unsupported',
        'error',
        `${facts.sync.displayName} ${version} is installed, below ${MANDATORY_SYNC_VERSION}. The prerequisites page: ${MANDATORY_WORDS}${passed ? ' That date has passed: this server is not syncing.' : ''}`,
        `${PREREQ_PAGE}: "Upgrade before this deadline to avoid any service disruption. If you're unable to upgrade before the deadline, all synchronization services will fail until you upgrade to the latest version. The Microsoft Entra Connect Sync installation file is exclusively available on Microsoft Entra Admin Center." ${MINIMUM_WORDS}`,
      ),
    );
  }

  if (facts.sync.entries.length > 0) {
    const release = facts.dotnetRelease;
    if (release === undefined || release < DOTNET_472_RELEASE) {
      out.push(
        finding(
          'dotnet_too_old',
          'error',
          release === undefined
            ? `.NET Framework 4.x is not installed (no Release under HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full); 4.7.2 (Release ${DOTNET_472_RELEASE}) or later is required.`
            : `.NET Framework ${dotnetVersionOf(release)} is installed (Release ${release}); 4.7.2 (Release ${DOTNET_472_RELEASE}) or later is required.`,
          `${PREREQ_PAGE}: ${MINIMUM_WORDS} Install .NET Framework 4.7.2 or later, then restart the server.`,
        ),
      );
    }

    const wrong = facts.tls12.filter((v) => v.actual !== v.expected);
    if (wrong.length > 0) {
      const inRange = version !== undefined && compareVersions(version, TLS12_REQUIRED_FROM) >= 0 && compareVersions(version, TLS12_REQUIRED_TO) <= 0;
      const listed = wrong.map((v) => `${v.key}\\${v.name} ${v.actual === undefined ? 'is missing' : `is ${v.actual}`} (must be ${v.expected})`).join('; ');
      const set = wrong.map((v) => `[${v.key}] "${v.name}"=dword:${v.expected.toString(16).padStart(8, '0')}`).join('; ');
      out.push(
        finding(
          'tls12_registry',
          inRange ? 'error' : 'warning',
          `${wrong.length} of the ${facts.tls12.length} TLS 1.2 registry values are not set as Microsoft lists them: ${listed}.${inRange ? ` Version ${version} is one of those (${TLS12_REQUIRED_FROM} to ${TLS12_REQUIRED_TO}) that require them before install or upgrade.` : ''}`,
          `${TLS_PAGE}: "This requirement only applies to versions 2.3.20.0 through to 2.4.129.0. Entra Connect version 2.4.131.0 and higher do not require TLS enforcement before installation or upgrade." "In order to force the Microsoft Entra Connect server to only use TLS 1.2, the registry of the Windows server must be updated." Set: ${set}. "After you've updated the registry, you must restart the Windows server for the changes to take effect."`,
        ),
      );
    }
  }

  if (winhttp) out.push(...winHttpFindings(winhttp, machineConfigs));
  return out;
}

/** machine.config's proxy against WinHTTP's: revocation checks go WinHTTP's way. */
export function winHttpFindings(view: WinHttpView, machineConfigs: MachineConfigProxy[]): Finding[] {
  const winhttp = view.settings ? winHttpProxyUrl(view.settings) : undefined;
  const out: Finding[] = [];
  const setProxy = (proxy: string) =>
    `${WINHTTP_PAGE}: "To Configure the proxy for WinHTTP Services, run the following command in a Command Prompt window that has elevated permissions": netsh winhttp set proxy ${proxy.replace(/^http:\/\//, '')} "<local>;<your bypass list>" (or \`netsh winhttp import proxy source=ie\` where Internet Explorer's settings are right).`;
  for (const mc of machineConfigs) {
    if (!mc.proxy) continue;
    if (!winhttp) {
      out.push(
        finding(
          'winhttp_direct_behind_proxy',
          'error',
          `machine.config (${mc.path}, route ${mc.route}) sends the sync engine through ${mc.proxy}, but WinHTTP goes direct (${view.description}). Windows fetches certificate revocation lists and OCSP answers through CryptoAPI, which uses WinHTTP's proxy, not machine.config: behind a firewall that only lets the proxy out, revocation checks fail while Invoke-WebRequest works.`,
          setProxy(mc.proxy),
        ),
      );
    } else if (normaliseProxy(winhttp) !== normaliseProxy(mc.proxy)) {
      out.push(
        finding(
          'winhttp_differs',
          'warning',
          `machine.config (${mc.path}, route ${mc.route}) uses the proxy ${mc.proxy} while WinHTTP (revocation checks) uses ${winhttp}: two proxies must both allow Microsoft's endpoints, the CRL and OCSP hosts through WinHTTP's.`,
          `Make both name the same proxy unless the difference is intended. ${setProxy(mc.proxy)}`,
        ),
      );
    }
  }
  return out;
}

function normaliseProxy(url: string): string {
  const u = new URL(url);
  return `${u.hostname.toLowerCase()}:${u.port || '80'}`;
}
