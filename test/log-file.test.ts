// The agent's own log file: appended to, rotated by size, a bounded number of old files kept.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../agent/errors.js';
import { RotatingLogFile, parseByteSize } from '../agent/log-file.js';
import { createLogger } from '../agent/log.js';

describe('RotatingLogFile', () => {
  it('rotates before a line would pass maxBytes, keeps `keep` old files, loses and splits no line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecm-logfile-'));
    const path = join(dir, 'logs', 'agent.log');
    const file = new RotatingLogFile(path, { maxBytes: 4096, keep: 2 });
    const logger = createLogger('info', file);
    for (let i = 0; i < 200; i++) logger.info({ i, pad: 'x'.repeat(60) }, 'line');
    file.close();
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2']);
    const seen: number[] = [];
    for (const name of ['agent.log.2', 'agent.log.1', 'agent.log']) {
      const text = readFileSync(join(dir, 'logs', name), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
      for (const line of text.trim().split('\n')) seen.push((JSON.parse(line) as { i: number }).i);
    }
    // The newest lines, in order, none split across files; the oldest were dropped with the third-oldest file.
    expect(seen.at(-1)).toBe(199);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.length).toBeGreaterThan(40);
    expect(seen.length).toBeLessThan(200);
  });

  it('appends to an existing file and counts its size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecm-logfile-'));
    const path = join(dir, 'a.log');
    const first = new RotatingLogFile(path, { maxBytes: 4096, keep: 1 });
    first.write(`${'a'.repeat(3000)}\n`);
    first.close();
    const second = new RotatingLogFile(path, { maxBytes: 4096, keep: 1 });
    second.write(`${'b'.repeat(2000)}\n`);
    second.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toMatch(/^a+\n$/);
    expect(readFileSync(path, 'utf8')).toMatch(/^b+\n$/);
    expect(existsSync(`${path}.2`)).toBe(false);
  });

  it('a file it cannot open is an InputError naming the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecm-logfile-'));
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, '');
    const path = join(notADir, 'agent.log');
    expect(() => new RotatingLogFile(path)).toThrow(InputError);
    expect(() => new RotatingLogFile(path)).toThrow(/^--log\.file: cannot open .*plain-file\/agent\.log for appending \(E[A-Z]+\)$/);
  });

  it('reads sizes', () => {
    expect(parseByteSize('10MB')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('512kb')).toBe(512 * 1024);
    expect(parseByteSize('4096')).toBe(4096);
    expect(parseByteSize('1.5MB')).toBeUndefined();
    expect(parseByteSize('ten')).toBeUndefined();
  });
});
