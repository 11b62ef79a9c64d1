// Placeholder until proxy log analysis lands (issue 9).
export async function runLogsCommand(_argv: string[], _out: NodeJS.WritableStream, err: NodeJS.WritableStream, _stdin?: NodeJS.ReadableStream): Promise<number> {
  err.write('entra-connect-monitor: logs: not available in this build\n');
  return 2;
}
