// What every probe kind's result starts with, and the shape of a diagnosis. Each kind's own result type lives in
// its folder (probes/<kind>/result.ts) and extends the header, so history, logs and reports can treat them alike.
import type { FailureReason } from './probes/classify.js';

/** The common header of every result, whatever its kind. */
export interface ResultHeader {
  kind: string;
  /** What was probed: a catalogue endpoint id, or the domain of sign-in discovery. */
  target: string;
  route: string;
  startedAt: number; // Unix ms
  success: boolean;
  durationSeconds: number;
  reason?: FailureReason;
  findings?: Finding[];
}

/** A diagnosis that is not one probe's failure (machine.config, sign-in discovery, proxy logs). */
export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  remedy: string;
}

