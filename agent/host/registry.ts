// One read-only view of the Windows registry for host facts, from two sources: the live registry through
// `reg.exe query` (present on every Windows and in Wine), or files written by `reg export` (regedit's text format),
// so an agent on another machine can be pointed at a server's settings. The agent never writes to the registry.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { win32 } from 'node:path';


export type RegValue =
  | { type: 'REG_SZ' | 'REG_EXPAND_SZ'; data: string }
  | { type: 'REG_MULTI_SZ'; data: string[] }
  | { type: 'REG_DWORD' | 'REG_QWORD'; data: number }
  | { type: 'REG_BINARY' | 'REG_NONE' | 'REG_OTHER'; data: Buffer };

export interface RegKey {
  /** Full path with the hive spelled out (HKEY_LOCAL_MACHINE\...), as reg.exe and regedit print it. */
  path: string;
  /** Value names as written; look them up with regValue() (names are case-insensitive on Windows). */
  values: Map<string, RegValue>;
}

/** Where host facts come from. Every method resolves to undefined for a key that does not exist. */
export interface RegistrySource {
  /** For messages: "the registry (reg.exe)" or "the exported file X". */
  readonly description: string;
  /** The key, or with `recursive` the key and every key below it (the key itself first). */
  query(key: string, options?: { recursive?: boolean }): Promise<RegKey[] | undefined>;
}

/** Thrown when a source cannot be read at all (reg.exe missing or hung, a file unreadable): not "key missing". */
export class RegistryReadError extends Error {
  override name = 'RegistryReadError';
}

const HIVES: Record<string, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKU: 'HKEY_USERS',
  HKCC: 'HKEY_CURRENT_CONFIG',
};

/** HKLM\Software\X -> HKEY_LOCAL_MACHINE\SOFTWARE\X upper-cased, for comparing paths (the registry ignores case). */
export function normaliseKey(path: string): string {
  const trimmed = path.replace(/\\+$/, '');
  const [hive, ...rest] = trimmed.split('\\');
  const full = HIVES[hive!.toUpperCase()] ?? hive!.toUpperCase();
  return [full, ...rest].join('\\').toUpperCase();
}

/** A value by name, ignoring case as Windows does. */
export function regValue(key: RegKey | undefined, name: string): RegValue | undefined {
  if (!key) return undefined;
  const direct = key.values.get(name);
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [n, v] of key.values) if (n.toLowerCase() === lower) return v;
  return undefined;
}

export function regString(key: RegKey | undefined, name: string): string | undefined {
  const v = regValue(key, name);
  return v && (v.type === 'REG_SZ' || v.type === 'REG_EXPAND_SZ') ? v.data : undefined;
}

export function regDword(key: RegKey | undefined, name: string): number | undefined {
  const v = regValue(key, name);
  return v && (v.type === 'REG_DWORD' || v.type === 'REG_QWORD') ? v.data : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// reg.exe query

/**
 * Parses what `reg query KEY [/s]` prints: a key path on its own line, then its values indented by four spaces as
 * `NAME    TYPE    DATA` (REG_DWORD as 0x.., REG_BINARY as one hex string, REG_MULTI_SZ items joined by \0).
 */
export function parseRegQueryOutput(text: string): RegKey[] {
  const keys: RegKey[] = [];
  let current: RegKey | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (/^HKEY_[A-Z_]+(\\|$)/i.test(line)) {
      current = { path: line.trimEnd(), values: new Map() };
      keys.push(current);
      continue;
    }
    const m = /^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line);
    if (!m || !current) continue; // "End of search" lines of /f, or localised noise
    const [, name, type, data = ''] = m;
    current.values.set(name === '(Default)' ? '' : name!, queryValue(type!, data));
  }
  return keys;
}

function queryValue(type: string, data: string): RegValue {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return { type, data };
    case 'REG_MULTI_SZ':
      return { type, data: data === '' ? [] : data.split('\\0').filter((s) => s !== '') };
    case 'REG_DWORD':
    case 'REG_QWORD':
      return { type, data: Number.parseInt(data, 16) };
    case 'REG_BINARY':
    case 'REG_NONE':
      return { type, data: Buffer.from(/^[0-9a-fA-F]*$/.test(data) && data.length % 2 === 0 ? data : '', 'hex') };
    default:
      return { type: 'REG_OTHER', data: Buffer.alloc(0) };
  }
}

export interface RegExeOptions {
  /** reg.exe; by default %SystemRoot%\System32\reg.exe. */
  command?: string;
  /** Bound on one reg.exe run. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs reg.exe to read the live registry: one process per query, bounded in time and output. */
export class RegExeSource implements RegistrySource {
  readonly description = 'the registry (reg.exe)';
  private readonly command: string;

  get commandPath(): string {
    return this.command;
  }
  private readonly timeoutMs: number;

  constructor(options: RegExeOptions = {}) {
    const env = options.env ?? process.env;
    const rootKey = Object.keys(env).find((k) => k.toLowerCase() === 'systemroot');
    const root = (rootKey && env[rootKey]) || 'C:\\Windows';
    this.command = options.command ?? win32.join(root, 'System32', 'reg.exe');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  query(key: string, options: { recursive?: boolean } = {}): Promise<RegKey[] | undefined> {
    const args = ['query', key, ...(options.recursive ? ['/s'] : [])];
    return new Promise((resolve, reject) => {
      execFile(this.command, args, { timeout: this.timeoutMs, maxBuffer: 32 * 1024 * 1024, windowsHide: true, encoding: 'latin1' }, (err, stdout, stderr) => {
        if (!err) {
          // Without /s reg.exe still lists the subkeys' paths after the values: only the first key is the one asked for.
          const keys = parseRegQueryOutput(stdout);
          resolve(options.recursive ? keys : keys.slice(0, 1));
          return;
        }
        const e = err as unknown as { code?: number | string; killed?: boolean };
        // reg.exe exits 1 for a key (or value) that does not exist: a fact, not a failure.
        if (e.code === 1 && !e.killed) {
          resolve(undefined);
          return;
        }
        const why = e.killed ? `did not finish within ${this.timeoutMs} ms` : typeof e.code === 'string' ? e.code : `exit ${e.code}: ${String(stderr).trim().split(/\r?\n/)[0]}`;
        reject(new RegistryReadError(`${this.command} query ${key}: ${why}`));
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// reg export files

/** Decodes a .reg file: UTF-16LE with a BOM as `reg export` and regedit write it, else UTF-8 (or REGEDIT4's ANSI). */
export function decodeRegFile(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

export class RegFileFormatError extends Error {
  override name = 'RegFileFormatError';
}

/**
 * Parses regedit's export format ("Windows Registry Editor Version 5.00" or "REGEDIT4"): `[KEY]` headers, then
 * `"name"=...` or `@=...` lines: a quoted string, `dword:XXXXXXXX`, `hex:..` (REG_BINARY), `hex(N):..` for the other
 * types (2 REG_EXPAND_SZ, 7 REG_MULTI_SZ, b REG_QWORD, 0 REG_NONE; strings in UTF-16LE), hex continued over lines
 * ending in a backslash. `[-KEY]` and `"name"=-` (deletions, in files meant for merging) are honoured.
 */
export function parseRegExport(text: string): RegKey[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== 'Windows Registry Editor Version 5.00' && header !== 'REGEDIT4') {
    throw new RegFileFormatError('is not a registry export (its first line must be "Windows Registry Editor Version 5.00" or "REGEDIT4")');
  }
  const utf16Strings = header !== 'REGEDIT4';
  const keys = new Map<string, RegKey>();
  let current: RegKey | undefined;
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.trim() === '' || line.startsWith(';')) continue;
    const section = /^\[(-?)(.+)\]\s*$/.exec(line);
    if (section) {
      const path = section[2]!;
      if (section[1]) {
        const gone = normaliseKey(path);
        for (const k of [...keys.keys()]) if (k === gone || k.startsWith(`${gone}\\`)) keys.delete(k);
        current = undefined;
      } else {
        const id = normaliseKey(path);
        current = keys.get(id) ?? { path, values: new Map() };
        keys.set(id, current);
      }
      continue;
    }
    // A hex value may go on over several lines, each but the last ending in a backslash.
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, '') + lines[++i]!.trim();
    const parsed = parseValueLine(line, utf16Strings);
    if (!parsed) throw new RegFileFormatError(`line ${i + 1}: cannot read "${line.slice(0, 60)}"`);
    if (!current) continue; // values of a deleted key
    if (parsed.value === null) current.values.delete(parsed.name);
    else current.values.set(parsed.name, parsed.value);
  }
  return [...keys.values()];
}

function parseValueLine(line: string, utf16Strings: boolean): { name: string; value: RegValue | null } | undefined {
  let name: string;
  let rest: string;
  if (line.startsWith('@=')) {
    name = '';
    rest = line.slice(2);
  } else {
    const m = /^"((?:[^"\\]|\\.)*)"=(.*)$/.exec(line);
    if (!m) return undefined;
    name = unescapeRegString(m[1]!);
    rest = m[2]!;
  }
  rest = rest.trim();
  if (rest === '-') return { name, value: null };
  const str = /^"((?:[^"\\]|\\.)*)"$/.exec(rest);
  if (str) return { name, value: { type: 'REG_SZ', data: unescapeRegString(str[1]!) } };
  const dword = /^dword:([0-9a-fA-F]{1,8})$/.exec(rest);
  if (dword) return { name, value: { type: 'REG_DWORD', data: Number.parseInt(dword[1]!, 16) } };
  const hex = /^hex(?:\(([0-9a-fA-F]+)\))?:([0-9a-fA-F,\s]*)$/.exec(rest);
  if (!hex) return undefined;
  const bytes = Buffer.from(hex[2]!.replace(/[\s,]/g, ''), 'hex');
  const kind = hex[1] === undefined ? 3 : Number.parseInt(hex[1], 16);
  const text = () => (utf16Strings ? bytes.toString('utf16le') : bytes.toString('latin1'));
  switch (kind) {
    case 1:
    case 2:
      return { name, value: { type: kind === 1 ? 'REG_SZ' : 'REG_EXPAND_SZ', data: text().replace(/\0+$/, '') } };
    case 7:
      return { name, value: { type: 'REG_MULTI_SZ', data: text().replace(/\0+$/, '').split('\0').filter((s) => s !== '') } };
    case 4:
      return { name, value: { type: 'REG_DWORD', data: bytes.length >= 4 ? bytes.readUInt32LE(0) : 0 } };
    case 0xb:
      return { name, value: { type: 'REG_QWORD', data: bytes.length >= 8 ? Number(bytes.readBigUInt64LE(0)) : 0 } };
    case 3:
      return { name, value: { type: 'REG_BINARY', data: bytes } };
    case 0:
      return { name, value: { type: 'REG_NONE', data: bytes } };
    default:
      return { name, value: { type: 'REG_OTHER', data: bytes } };
  }
}

function unescapeRegString(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** One or more `reg export` files read as one registry (later files win for the same value). */
export class RegFileSource implements RegistrySource {
  readonly description: string;
  private readonly keys = new Map<string, RegKey>();

  /** Throws RegistryReadError naming the file when a file cannot be read or is not an export. */
  constructor(readonly files: string[]) {
    this.description = files.length === 1 ? `the exported file ${files[0]}` : `the exported files ${files.join(', ')}`;
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        throw new RegistryReadError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      let parsed: RegKey[];
      try {
        parsed = parseRegExport(decodeRegFile(bytes));
      } catch (err) {
        throw new RegistryReadError(`${file}: ${(err as Error).message}`);
      }
      for (const key of parsed) {
        const id = normaliseKey(key.path);
        const known = this.keys.get(id);
        if (known) for (const [n, v] of key.values) known.values.set(n, v);
        else this.keys.set(id, key);
      }
    }
  }

  /** One key, read at once (the files are in memory). */
  keySync(key: string): RegKey | undefined {
    return this.keys.get(normaliseKey(key));
  }

  async query(key: string, options: { recursive?: boolean } = {}): Promise<RegKey[] | undefined> {
    const id = normaliseKey(key);
    const below = `${id}\\`;
    const found = [...this.keys.entries()].filter(([k]) => k === id || (options.recursive && k.startsWith(below)));
    // An export names every key it holds, parents included; a subkey alone still proves its parent exists.
    if (found.length === 0) return [...this.keys.keys()].some((k) => k.startsWith(below)) ? [{ path: key, values: new Map() }] : undefined;
    found.sort(([a], [b]) => (a === id ? -1 : b === id ? 1 : a.localeCompare(b)));
    return found.map(([, v]) => v);
  }
}
