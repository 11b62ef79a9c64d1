// The WinHTTP route's settings, read while the plan is built: from a `reg export` file (any platform) or, with
// `winhttp: registry` on Windows, from the live registry with one bounded reg.exe query.
import { execFileSync } from 'node:child_process';
import { InputError } from '../errors.js';
import { parseRegQueryOutput, RegExeSource, RegFileSource, RegistryReadError, regValue, type RegKey } from './registry.js';
import { parseWinHttpSettings, WINHTTP_SETTINGS_KEY, WINHTTP_SETTINGS_VALUE, type WinHttpSettings } from './winhttp.js';

export interface WinHttpRouteSource {
  /** "registry" or the export file's path. */
  from: string;
  description: string;
  /** false when the value was never written: WinHTTP then goes direct. */
  present: boolean;
  settings?: WinHttpSettings;
}

/** Reads WinHttpSettings for `routes[index].winhttp`; bad input is an InputError naming the file and the key. */
export function loadWinHttpRoute(spec: string, configFile: string, index: number, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): WinHttpRouteSource {
  const key = `routes[${index}].winhttp`;
  let connections: RegKey | undefined;
  let description: string;
  if (spec === 'registry') {
    if (platform !== 'win32') throw new InputError(configFile, key, `"registry" reads the live Windows registry, and this is ${platform}; name a file written by \`reg export "${WINHTTP_SETTINGS_KEY}" FILE\` instead`);
    const command = new RegExeSource({ env }).commandPath;
    description = 'the registry (reg.exe)';
    try {
      const out = execFileSync(command, ['query', WINHTTP_SETTINGS_KEY], { timeout: 10_000, windowsHide: true, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
      connections = parseRegQueryOutput(out)[0];
    } catch (err) {
      const e = err as { status?: number | null; code?: string };
      if (e.status !== 1) throw new InputError(configFile, key, `cannot run ${command} (${e.code ?? `exit ${e.status}`})`);
      connections = undefined; // the key does not exist: WinHTTP was never configured
    }
  } else {
    let source: RegFileSource;
    try {
      source = new RegFileSource([spec]);
    } catch (err) {
      throw new InputError(configFile, key, (err as RegistryReadError).message);
    }
    description = source.description;
    connections = source.keySync(WINHTTP_SETTINGS_KEY);
    if (!connections) throw new InputError(configFile, key, `${spec} has no [${WINHTTP_SETTINGS_KEY}] key (export it with \`reg export "${WINHTTP_SETTINGS_KEY}" FILE\`)`);
  }
  const value = regValue(connections, WINHTTP_SETTINGS_VALUE);
  if (!value) return { from: spec, description, present: false };
  if (value.type !== 'REG_BINARY') throw new InputError(configFile, key, `${WINHTTP_SETTINGS_VALUE} in ${description} is ${value.type}, not REG_BINARY`);
  try {
    return { from: spec, description, present: true, settings: parseWinHttpSettings(value.data) };
  } catch (err) {
    throw new InputError(configFile, key, `${WINHTTP_SETTINGS_VALUE} in ${description} ${(err as Error).message}`);
  }
}
