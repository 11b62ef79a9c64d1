// The result of one idle-timeout cycle: tunnels held silent for each hold, and what the proxy did to them.
import type { ResultHeader } from '../probe.js';
import type { FailureReason } from '../classify.js';

/** One tunnel of an idle-timeout cycle: held silent for holdSeconds, then asked a real request. */
export interface IdleHold {
  holdSeconds: number;
  survived: boolean;
  /** The proxy closed the tunnel (FIN or RST) while it was silent, after this many seconds. */
  closedAfterSeconds?: number;
  /** The tunnel stayed open but the request after the hold got no answer (or a reset): the proxy dropped it silently. */
  silentDrop?: boolean;
  /** The endpoint's status in the answer after the hold, when one came. */
  httpStatus?: number;
  detail?: string;
}

/** The result of one idle-timeout cycle over one proxy route. */
export interface IdleResult extends ResultHeader {
  kind: 'idle';
  route: string;
  endpoint: string;
  url: string;
  startedAt: number;
  durationSeconds: number;
  requiredSeconds: number;
  /** pass: a tunnel held silent longer than requiredSeconds still answered; fail: none did; error: the cycle could not run. */
  verdict: 'pass' | 'fail' | 'error';
  /** The shortest silence after which the proxy was seen closing a tunnel (its idle timeout, measured). */
  closeSeconds?: number;
  silentDrop: boolean;
  holds: IdleHold[];
  reason?: FailureReason;
  detail?: string;
  remedy?: string;
}

