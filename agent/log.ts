// pino JSON logs to stdout. Secrets are Secret objects (they serialise as [redacted]); the redact paths are a second
// line of defence for anything that looks like a credential.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** `destination` is stdout, or anything with a write(line) such as a RotatingLogFile. */
export function createLogger(level: LevelWithSilent = 'info', destination: { write(line: string): unknown } = process.stdout): Logger {
  return pino(
    {
      level,
      base: { app: 'entra-connect-monitor' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'authorization', '*.authorization', 'proxyAuthorization', '*.proxyAuthorization', 'headers["proxy-authorization"]'], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as pino.DestinationStream,
  );
}

/** A caught error as log fields: its stable code and first message line, never a stack or an object dump. */
export function errorFields(err: unknown): { error: { code?: string; message: string } } {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  return { error: { ...(code ? { code } : {}), message } };
}
