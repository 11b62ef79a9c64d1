import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRegFile, parseRegExport, parseRegQueryOutput, RegFileSource, RegistryReadError, regDword, regString, regValue } from '../../agent/host/registry.js';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'host', name);
const CONNECTIONS = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections';

describe('reg query output (as Wine reg.exe printed it)', () => {
  it('reads REG_SZ, REG_DWORD 0x.., REG_BINARY hex, REG_MULTI_SZ and empty strings of one key', () => {
    const keys = parseRegQueryOutput(readFileSync(fixture('wine-query-connections.txt'), 'latin1'));
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(key.path).toBe(CONNECTIONS);
    expect(regString(key, 'Note')).toBe('quote " and \\ backslash');
    expect(regDword(key, 'num')).toBe(461808); // names are case-insensitive, as on Windows
    expect(regValue(key, 'Multi')).toEqual({ type: 'REG_MULTI_SZ', data: ['a', 'b'] });
    const bin = regValue(key, 'WinHttpSettings');
    expect(bin?.type).toBe('REG_BINARY');
    expect((bin!.data as Buffer).subarray(0, 12).toString('hex')).toBe('180000000000000003000000');
  });

  it('takes the key first and subkey paths as keys without values', () => {
    const keys = parseRegQueryOutput(readFileSync(fixture('wine-query-os.txt'), 'latin1'));
    expect(keys[0]!.path).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion');
    expect(regString(keys[0], 'CurrentBuildNumber')).toBe('18362');
    expect(regString(keys[0], 'CSDVersion')).toBe('');
    expect(regDword(keys[0], 'CurrentMajorVersionNumber')).toBe(10);
    expect(keys.slice(1).every((k) => k.values.size === 0)).toBe(true);
    expect(keys.length).toBeGreaterThan(5);
  });

  it('reads every key of a /s listing with its values', () => {
    const keys = parseRegQueryOutput(readFileSync(fixture('wine-query-uninstall-s.txt'), 'latin1'));
    expect(keys.map((k) => [k.path.split('\\').pop(), regString(k, 'DisplayName'), regString(k, 'DisplayVersion')])).toEqual([['{TEST}', 'Microsoft Entra Connect Sync', '2.4.18.0']]);
  });

  it('maps (Default) to the empty name', () => {
    const keys = parseRegQueryOutput('\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    (Default)    REG_SZ    hello\r\n    Q    REG_QWORD    0x10\r\n');
    expect(regString(keys[0], '')).toBe('hello');
    expect(regDword(keys[0], 'Q')).toBe(16);
  });
});

describe('reg export files', () => {
  it('decodes UTF-16LE with a BOM as Wine and Windows write it, with hex continued over lines', () => {
    const bytes = readFileSync(fixture('wine-export-connections.reg'));
    expect(bytes.subarray(0, 2).toString('hex')).toBe('fffe');
    const keys = parseRegExport(decodeRegFile(bytes));
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(key.path).toBe(CONNECTIONS);
    expect(regString(key, 'Note')).toBe('quote " and \\ backslash');
    expect(regDword(key, 'Num')).toBe(461808);
    expect(regValue(key, 'Multi')).toEqual({ type: 'REG_MULTI_SZ', data: ['a', 'b'] });
    // The same bytes as reg query printed for the same value.
    const queried = parseRegQueryOutput(readFileSync(fixture('wine-query-connections.txt'), 'latin1'))[0]!;
    expect((regValue(key, 'WinHttpSettings')!.data as Buffer).equals(regValue(queried, 'WinHttpSettings')!.data as Buffer)).toBe(true);
  });

  it('reads UTF-8 exports, REGEDIT4, hex(2)/hex(b) types and deletions', () => {
    const text = [
      'Windows Registry Editor Version 5.00',
      '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]',
      '"Path"=hex(2):25,00,53,00,79,00,73,00,25,00,00,00',
      '"Big"=hex(b):01,00,00,00,01,00,00,00',
      '@="default"',
      '"Gone"="x"',
      '"Gone"=-',
      '',
      '[HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\Sub]',
      '"V"=dword:00000002',
      '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\A\\Sub]',
    ].join('\r\n');
    const keys = parseRegExport(text);
    expect(keys).toHaveLength(1);
    expect(regValue(keys[0], 'Path')).toEqual({ type: 'REG_EXPAND_SZ', data: '%Sys%' });
    expect(regDword(keys[0], 'Big')).toBe(2 ** 32 + 1);
    expect(regString(keys[0], '')).toBe('default');
    expect(regValue(keys[0], 'Gone')).toBeUndefined();
    expect(parseRegExport('REGEDIT4\n\n[HKEY_CURRENT_USER\\X]\n"S"="v"\n')[0]!.path).toBe('HKEY_CURRENT_USER\\X');
  });

  it('refuses a file that is not an export, naming the line', () => {
    expect(() => parseRegExport('hello')).toThrow(/not a registry export/);
    expect(() => parseRegExport('Windows Registry Editor Version 5.00\n[HKEY_LOCAL_MACHINE\\X]\n"a"=what\n')).toThrow(/line 3/);
  });

  it('answers queries over several files: a key, its subtree, HKLM spelled short, a missing key', async () => {
    const source = new RegFileSource([fixture('server-all-problems.reg'), fixture('wine-export-connections.reg')]);
    const uninstall = await source.query('HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall', { recursive: true });
    expect(uninstall!.map((k) => regString(k, 'DisplayName'))).toEqual([undefined, 'Microsoft Entra Connect Sync']);
    expect(await source.query('HKLM\\SOFTWARE\\Nope')).toBeUndefined();
    // The later file's value wins.
    const conn = (await source.query(CONNECTIONS))![0]!;
    expect((regValue(conn, 'WinHttpSettings')!.data as Buffer).readUInt32LE(8)).toBe(3);
    expect(regDword(conn, 'Num')).toBe(461808);
  });

  it('names the file it cannot read', () => {
    expect(() => new RegFileSource(['/nonexistent/x.reg'])).toThrow(RegistryReadError);
    expect(() => new RegFileSource(['/nonexistent/x.reg'])).toThrow('/nonexistent/x.reg: cannot read (ENOENT)');
  });
});
