// Where the package's own files (config/, dashboards/) live, whether we run from agent/*.ts or dist/agent/*.js.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('package root not found (no package.json beside config/)');
}

export const PACKAGE_ROOT = findPackageRoot();
export const DEFAULT_CONFIG_FILE = join(PACKAGE_ROOT, 'config', 'agent.yaml');
export const CATALOGUE_DIR = join(PACKAGE_ROOT, 'config', 'endpoints');
