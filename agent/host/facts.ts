// Host facts of a Microsoft Entra Connect server, read from one RegistrySource: Windows version, the installed sync
// version (uninstall entries, 64- and 32-bit views), .NET Framework 4.x release, the TLS 1.2 values Microsoft's TLS
// enforcement page lists, and WinHTTP's proxy. Reading only: what is missing is a fact, never an error.
import { regDword, regString, regValue, type RegistrySource, type RegKey } from './registry.js';
import { parseWinHttpSettings, WINHTTP_SETTINGS_KEY, WINHTTP_SETTINGS_VALUE, type WinHttpSettings } from './winhttp.js';

export const OS_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
export const UNINSTALL_KEYS = [
  { view: '64-bit', key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall' },
  { view: '32-bit', key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall' },
] as const;
export const DOTNET_KEY = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full';

/** The values "TLS 1.2 enforcement for Microsoft Entra Connect" sets, in the page's order. */
export const TLS12_VALUES: ReadonlyArray<{ key: string; name: string; expected: number }> = [
  { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319', name: 'SystemDefaultTlsVersions', expected: 1 },
  { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319', name: 'SchUseStrongCrypto', expected: 1 },
  { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319', name: 'SystemDefaultTlsVersions', expected: 1 },
  { key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319', name: 'SchUseStrongCrypto', expected: 1 },
  { key: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server', name: 'Enabled', expected: 1 },
  { key: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server', name: 'DisabledByDefault', expected: 0 },
  { key: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client', name: 'Enabled', expected: 1 },
  { key: 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client', name: 'DisabledByDefault', expected: 0 },
];

/** Closed set: the os_version label of entra_connect_host_info. */
export const OS_VERSIONS = ['server_2025', 'server_2022', 'server_2019', 'server_2016', 'server_older', 'client', 'unknown'] as const;
export type OsVersion = (typeof OS_VERSIONS)[number];

// First build of each Windows Server release (CurrentBuildNumber): 2016 is 14393, 2019 17763, 2022 20348, 2025 26100.
const SERVER_BUILDS: ReadonlyArray<[number, OsVersion]> = [
  [26100, 'server_2025'],
  [20348, 'server_2022'],
  [17763, 'server_2019'],
  [14393, 'server_2016'],
];

export interface OsFacts {
  productName?: string;
  installationType?: string;
  build?: number;
  version: OsVersion;
}

export interface SyncEntry {
  view: '64-bit' | '32-bit';
  displayName: string;
  displayVersion?: string;
}

export interface TlsValueFact {
  key: string;
  name: string;
  expected: number;
  /** undefined: the value (or its key) is missing. */
  actual?: number;
}

export interface HostFacts {
  source: string;
  os: OsFacts;
  /** Entra Connect Sync uninstall entries found; `version` is the highest DisplayVersion among them. */
  sync: { entries: SyncEntry[]; version?: string; displayName?: string };
  /** .NET Framework 4.x Release; undefined when the key or value is missing. */
  dotnetRelease?: number;
  tls12: TlsValueFact[];
  /**
   * WinHTTP's proxy; `present: false` when the value was never written (WinHTTP then goes direct). `keyFound: false`
   * in an export file means the Connections key was not exported, so WinHTTP's setting is not known.
   */
  winhttp: { keyFound: boolean; present: boolean; settings?: WinHttpSettings; error?: string };
}

const SYNC_PREFIXES = ['microsoft entra connect', 'microsoft azure ad connect'];
// Other products whose names start the same way but carry their own version numbers (the Connect Health agent,
// Cloud Sync's provisioning agent): counting them would misread the sync version.
const NOT_SYNC = /health|provisioning agent/i;

export function isSyncEntryName(displayName: string): boolean {
  const lower = displayName.toLowerCase();
  return SYNC_PREFIXES.some((p) => lower.startsWith(p)) && !NOT_SYNC.test(displayName);
}

/** Compares dotted versions numerically ("2.5.79.0" vs "2.4.131.0"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function osVersionOf(build: number | undefined, productName: string | undefined, installationType: string | undefined): OsVersion {
  if (build === undefined || !Number.isFinite(build)) return 'unknown';
  const server = /server/i.test(installationType ?? '') || /server/i.test(productName ?? '');
  if (!server) return 'client';
  return SERVER_BUILDS.find(([first]) => build >= first)?.[1] ?? 'server_older';
}

export async function readHostFacts(source: RegistrySource): Promise<HostFacts> {
  const one = async (key: string): Promise<RegKey | undefined> => (await source.query(key))?.[0];
  const [osKey, dotnetKey, winhttpKey] = await Promise.all([one(OS_KEY), one(DOTNET_KEY), one(WINHTTP_SETTINGS_KEY)]);

  const productName = regString(osKey, 'ProductName');
  const installationType = regString(osKey, 'InstallationType');
  const buildText = regString(osKey, 'CurrentBuildNumber') ?? regString(osKey, 'CurrentBuild');
  const build = buildText && /^\d+$/.test(buildText) ? Number(buildText) : undefined;

  const entries: SyncEntry[] = [];
  for (const { view, key } of UNINSTALL_KEYS) {
    const tree = (await source.query(key, { recursive: true })) ?? [];
    for (const k of tree) {
      const displayName = regString(k, 'DisplayName');
      if (!displayName || !isSyncEntryName(displayName)) continue;
      const displayVersion = regString(k, 'DisplayVersion');
      entries.push({ view, displayName, ...(displayVersion ? { displayVersion } : {}) });
    }
  }
  const versioned = entries.filter((e) => e.displayVersion && /^\d+(\.\d+){0,3}$/.test(e.displayVersion));
  const newest = versioned.sort((a, b) => compareVersions(b.displayVersion!, a.displayVersion!))[0] ?? entries[0];

  const tls12 = await Promise.all(
    TLS12_VALUES.map(async (v) => {
      const actual = regDword(await one(v.key), v.name);
      return { ...v, ...(actual !== undefined ? { actual } : {}) };
    }),
  );

  const winhttpValue = regValue(winhttpKey, WINHTTP_SETTINGS_VALUE);
  const keyFound = winhttpKey !== undefined;
  let winhttp: HostFacts['winhttp'] = { keyFound, present: false };
  if (winhttpValue) {
    if (winhttpValue.type !== 'REG_BINARY') winhttp = { keyFound, present: true, error: `is ${winhttpValue.type}, not REG_BINARY` };
    else {
      try {
        winhttp = { keyFound, present: true, settings: parseWinHttpSettings(winhttpValue.data) };
      } catch (err) {
        winhttp = { keyFound, present: true, error: (err as Error).message };
      }
    }
  }

  return {
    source: source.description,
    os: { ...(productName ? { productName } : {}), ...(installationType ? { installationType } : {}), ...(build !== undefined ? { build } : {}), version: osVersionOf(build, productName, installationType) },
    sync: { entries, ...(newest?.displayVersion ? { version: newest.displayVersion } : {}), ...(newest ? { displayName: newest.displayName } : {}) },
    ...(regDword(dotnetKey, 'Release') !== undefined ? { dotnetRelease: regDword(dotnetKey, 'Release') } : {}),
    tls12,
    winhttp,
  };
}
