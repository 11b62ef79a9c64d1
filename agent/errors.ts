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
