// Where the files the sync engine reads its proxy from live on a Microsoft Entra Connect server.
import { win32 } from 'node:path';

/** %windir%\Microsoft.NET\Framework64\v4.0.30319\Config\machine.config, with %windir% taken from `env` when set. */
export function defaultMachineConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  // Windows environment names are case-insensitive; elsewhere (tests, a copied file) look for any spelling.
  const windirKey = Object.keys(env).find((key) => key.toLowerCase() === 'windir');
  const windir = (windirKey && env[windirKey]) || 'C:\\Windows';
  return win32.join(windir, 'Microsoft.NET', 'Framework64', 'v4.0.30319', 'Config', 'machine.config');
}

export const DEFAULT_MACHINE_CONFIG_PATH = defaultMachineConfigPath();
