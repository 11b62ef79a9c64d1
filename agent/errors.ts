import { readFileSync } from 'node:fs';

// A user's mistake in a file they gave us: reported as one line naming the file, the key and the problem.
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ''}${problem}`);
    this.name = 'InputError';
  }
}

/**
 * Reads a file the user named. Without `from`, the file itself is the input (a configuration file); with it, the
 * file is named by `from.key` of the file `from.file` (a CA, a key, a password file), and the error says so.
 */
export function readInputFile(file: string, from?: { file: string; key: string; what?: string }): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (!from) throw new InputError(file, '', code === 'ENOENT' ? 'file not found' : `cannot read file (${code})`);
    throw new InputError(from.file, from.key, `cannot read ${from.what ? `${from.what} ` : ''}${file} (${code})`);
  }
}
