import type { Phase } from '../result.js';

/** A network failure with the phase it happened in and a stable code (errno, TLS code, or one of ours). */
export class NetError extends Error {
  constructor(
    readonly phase: Phase,
    readonly code: string,
    message: string,
    readonly extra: { proxyStatus?: number; proxyHeaders?: Map<string, string[]> } = {},
  ) {
    super(message);
    this.name = 'NetError';
  }
}
