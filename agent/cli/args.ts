// Argument helpers shared by the verbs.

/** Takes `--config FILE` (or `--config=FILE`) out of a verb's arguments, leaving the rest in order. */
export function takeConfigArg(argv: string[]): { config?: string; rest: string[] } {
  const rest: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config' && i + 1 < argv.length) config = argv[++i];
    else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else rest.push(a);
  }
  return { config, rest };
}

/** A bad-input message on stderr, one line; returns exit code 2. */
export function fail(err: NodeJS.WritableStream, message: string): number {
  err.write(`entra-connect-monitor: ${message}\n`);
  return 2;
}
