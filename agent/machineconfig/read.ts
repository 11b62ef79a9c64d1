// machine.config: the proxy settings the sync engine actually uses.
//
// Microsoft Entra Connect's wizard and sync engine are .NET Framework applications, so they take their proxy from
// <configuration><system.net><defaultProxy> in machine.config (the article: "make sure that machine.config is
// correctly configured"). This folder reads that section the way the .NET Framework does (read.ts, xml.ts, parse.ts),
// judges the settings (judge.ts), decides for a URL whether .NET would send it through the proxy or go direct
// (route.ts, dotnet-regex.ts), and checks the catalogue's endpoints against it (diagnose.ts), as Findings with the
// article's remedies (findings.ts). It never throws on a file's content: every problem with the file is a Finding.
//
// This file: reading from disk; a file that cannot be read is a finding, and UTF-16 files (Notepad's) decode.
import { readFileSync } from 'node:fs';
import { finding, RESTART_REMEDY } from './findings.js';
import { parseMachineConfig } from './parse.js';
import type { MachineConfigResult } from './types.js';

/** Reads and parses a machine.config. A file that can't be read becomes an `unreadable` finding, never a throw. */
export function loadMachineConfig(path: string): MachineConfigResult {
  const read = readConfigText(path);
  if ('problem' in read) {
    return {
      path,
      findings: [
        finding(
          'unreadable',
          'error',
          `The agent cannot read ${path}: ${read.problem}. Without it the agent cannot tell which proxy the sync engine uses.`,
          `Run the agent on the Microsoft Entra Connect server under an account that can read machine.config, or point it at a copy of the file. ${RESTART_REMEDY}`,
        ),
      ],
    };
  }
  return parseMachineConfig(read.text, path);
}

export function readConfigText(path: string): { text: string } | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { problem: describeReadError(err) };
  }
  return { text: decodeConfigBytes(bytes) };
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'there is no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return code ? `the system refused it (${code})` : 'the system refused it';
  }
}

// Notepad and older tools save config files as UTF-16 with a byte order mark; .NET reads those too.
function decodeConfigBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}
