// 407s and their retries. A 407 is the first half of the normal handshake: it becomes a finding only when no
// successful request from the same client to the same host starts within the window. squid logs a tunnel when it
// ends, so the success may come much later in the file; pending 407s wait until the end (or until a bound is reached).
// Keyed host -> client: no key string is built for the many successful lines.
import { clip, maxDefined, minDefined, type Occurrence } from './aggregate.js';
import { detached, type LogRecord } from './record.js';

/** Bounds that keep memory constant on hostile or huge logs. */
const MAX_PENDING_AUTH_KEYS = 10_000; // client-host pairs
const MAX_PENDING_AUTH_PER_KEY = 1_000;

interface PendingAuth {
  host: string;
  /** 407s not yet followed by a success: when they started (for the window) and were logged (for the report). */
  challenges: { startMs?: number; loggedAtMs?: number }[];
  example: string;
}

export class AuthRetries {
  /** host -> client -> 407s waiting for their retry. */
  private readonly pendingAuth = new Map<string, Map<string, PendingAuth>>();
  private pendingAuthCount = 0;
  /** By host: the 407s no successful retry answered. */
  readonly unanswered = new Map<string, Occurrence>();

  constructor(private readonly authRetryWindowSeconds: number) {}

  /** A 407 from the proxy. */
  challenge(record: LogRecord, startMs: number | undefined, line: string): void {
    let byClient = this.pendingAuth.get(record.host);
    let pending = byClient?.get(record.client);
    if (!pending) {
      if (this.pendingAuthCount >= MAX_PENDING_AUTH_KEYS) this.finalizeOldestAuth();
      if (!byClient) {
        byClient = new Map();
        this.pendingAuth.set(detached(record.host), byClient);
      }
      pending = { host: detached(record.host), challenges: [], example: clip(line) };
      byClient.set(detached(record.client), pending);
      this.pendingAuthCount++;
    }
    pending.challenges.push({ startMs, loggedAtMs: record.loggedAtMs });
    if (pending.challenges.length > MAX_PENDING_AUTH_PER_KEY) this.finalizeAuth(record.client, pending, 1);
  }

  /** A successful request: it answers the same client's 407s to the same host within the window. */
  success(record: LogRecord, startMs: number | undefined): void {
    const pending = this.pendingAuth.get(record.host)?.get(record.client);
    if (!pending) return;
    const windowMs = this.authRetryWindowSeconds * 1000;
    // Without times, any later success answers the 407. With whole-second clocks a retry may appear to start a
    // moment before its 407: allow one tick.
    const answered = (t: number | undefined) =>
      t === undefined || startMs === undefined || (startMs >= t - record.clockResolutionMs && startMs <= t + windowMs);
    pending.challenges = pending.challenges.filter((c) => !answered(c.startMs));
    if (pending.challenges.length === 0) this.forgetAuth(record.client, pending);
  }

  /** At the end of the log: every 407 still waiting had no retry. */
  finish(): void {
    for (const byClient of [...this.pendingAuth.values()]) {
      for (const [client, pending] of [...byClient]) this.finalizeAuth(client, pending, Infinity);
    }
  }

  private finalizeOldestAuth(): void {
    const [, byClient] = this.pendingAuth.entries().next().value!;
    const [client, pending] = byClient.entries().next().value!;
    this.finalizeAuth(client, pending, Infinity);
  }

  private forgetAuth(client: string, pending: PendingAuth): void {
    const byClient = this.pendingAuth.get(pending.host)!;
    byClient.delete(client);
    if (byClient.size === 0) this.pendingAuth.delete(pending.host);
    this.pendingAuthCount--;
  }

  /** Turns the oldest `howMany` pending 407s of a client and host into unanswered ones. */
  private finalizeAuth(client: string, pending: PendingAuth, howMany: number): void {
    const unanswered = pending.challenges.splice(0, howMany);
    if (pending.challenges.length === 0) this.forgetAuth(client, pending);
    let occurrence = this.unanswered.get(pending.host);
    if (!occurrence) {
      occurrence = { count: 0, example: pending.example, statuses: new Set([407]) };
      this.unanswered.set(pending.host, occurrence);
    }
    for (const challenge of unanswered) {
      occurrence.count++;
      occurrence.firstMs = minDefined(occurrence.firstMs, challenge.loggedAtMs);
      occurrence.lastMs = maxDefined(occurrence.lastMs, challenge.loggedAtMs);
    }
  }
}
