// The two moments of a request phase, taken where the bytes move rather than where the HTTP reader sees them:
// - sent: when the write of the request head returns. A socket's write hands the bytes to the kernel synchronously
//   when nothing is queued (for TLS: the record is encrypted and written inside the call), so the time spent building
//   and encrypting the head is the agent's own and stays outside the phase;
// - first byte: the first chunk the socket pushes into its readable side (for TLS: just decrypted), in the same turn
//   of the event loop that read it, before the 'readable' event (a process.nextTick later) and before the answer is parsed.
import type { Duplex } from 'node:stream';

type Hookable = Duplex & Record<'write' | 'push', (...args: never[]) => unknown>;

/** Replaces `socket[name]` for one use: `hook` runs around the original, which is put back first. */
function once<K extends 'write' | 'push'>(socket: Hookable, name: K, hook: (original: (...args: unknown[]) => unknown, args: unknown[]) => { done: boolean; value: unknown }): void {
  const hadOwn = Object.hasOwn(socket, name);
  const original = socket[name] as (...args: unknown[]) => unknown;
  const restore = () => {
    if (hadOwn) (socket as Record<K, unknown>)[name] = original;
    else delete (socket as Partial<Record<K, unknown>>)[name];
  };
  (socket as Record<K, unknown>)[name] = function (this: Duplex, ...args: unknown[]) {
    const result = hook((...a) => original.apply(this, a), args);
    if (result.done) restore();
    return result.value;
  };
}

/** Arms the marks for the next write on `socket` (the request head). Instance-level hooks, removed once used. */
export function markRequestBytes(socket: Duplex, onSent: (at: bigint) => void, onFirstByte: (at: bigint) => void): void {
  const s = socket as Hookable;
  once(s, 'write', (write, args) => {
    const value = write(...args);
    onSent(process.hrtime.bigint());
    once(s, 'push', (push, [chunk, ...rest]) => {
      const data = chunk !== null && chunk !== undefined;
      if (data) onFirstByte(process.hrtime.bigint());
      return { done: data, value: push(chunk, ...rest) };
    });
    return { done: true, value };
  });
}
