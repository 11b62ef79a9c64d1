// Logs to a file with size-based rotation, for where no journal collects stdout (a Windows scheduled task).
// Writes are synchronous: a log line is on disk before the next one is formatted, a crash loses nothing, and
// no worker thread or timer is involved. When the file would pass maxBytes it is closed and renamed FILE.1
// (FILE.1 to FILE.2, ..., the oldest dropped), then a new FILE is opened. Windows cannot rename a file someone holds
// open without sharing delete; then the file simply grows until a later rotation succeeds.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from './errors.js';

export interface LogFileOptions {
  /** Rotate once the file would grow past this many bytes. */
  maxBytes: number;
  /** Rotated files kept beside the current one (FILE.1 .. FILE.keep). */
  keep: number;
}

export const LOG_FILE_DEFAULTS: LogFileOptions = { maxBytes: 10 * 1024 * 1024, keep: 5 };

export class RotatingLogFile {
  private fd: number;
  private size: number;
  /** Rotations that could not rename the file (it is held open elsewhere); for tests and the curious. */
  failedRotations = 0;

  /** Throws InputError (naming the flag) when the file cannot be opened for appending. */
  constructor(
    readonly path: string,
    private readonly options: LogFileOptions = LOG_FILE_DEFAULTS,
    private readonly flag = '--log.file',
  ) {
    this.fd = this.open();
    this.size = fstatSync(this.fd).size;
  }

  private open(): number {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      return openSync(this.path, 'a');
    } catch (err) {
      throw new InputError(this.flag, '', `cannot open ${this.path} for appending (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /** pino calls this with one serialised line at a time. */
  write(chunk: string | Uint8Array): boolean {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size > 0 && this.size + bytes.length > this.options.maxBytes) this.rotate();
    writeSync(this.fd, bytes);
    this.size += bytes.length;
    return true;
  }

  private rotate(): void {
    closeSync(this.fd);
    try {
      if (this.options.keep === 0) rmSync(this.path, { force: true });
      else {
        rmSync(`${this.path}.${this.options.keep}`, { force: true });
        for (let i = this.options.keep - 1; i >= 1; i--) {
          try {
            renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        }
        renameSync(this.path, `${this.path}.1`);
      }
    } catch {
      this.failedRotations++;
    }
    this.fd = openSync(this.path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** "10485760", "512KB", "10MB" (binary units, case-insensitive) to bytes; undefined when not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d{1,12})\s*(B|KB|KIB|MB|MIB|GB|GIB)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toUpperCase().replace('I', '');
  const factor = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit as 'B' | 'KB' | 'MB' | 'GB'];
  return Number(m[1]) * factor;
}
