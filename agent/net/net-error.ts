import type { AuthScheme } from './auth/scheme.js';
import type { Phase } from './types.js';

/** A network failure with the phase it happened in and a stable code (errno, TLS code, or one of ours). */
export class NetError extends Error {
  constructor(
    readonly phase: Phase,
    readonly code: string,
    message: string,
    readonly extra: { proxyStatus?: number; proxyHeaders?: Map<string, string[]>; authScheme?: AuthScheme } = {},
  ) {
    super(message);
    this.name = 'NetError';
  }
}

/** Remote text (a proxy's error name, a status text) as it may appear in a detail line: printable and short. */
export function sanitizeRemoteText(text: string, max = 200): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}...` : printable;
}
