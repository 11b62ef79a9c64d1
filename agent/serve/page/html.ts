// Small pieces every section of the status page uses: escaping (everything that came from a remote party, the
// configuration or a query string goes through `esc`), times, durations and the marks of a verdict.

/** HTML-escapes any value for text and for quoted attribute values. */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Milliseconds with a precision that reads well from 0.1 ms to minutes. */
export function ms(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return '-';
  const value = seconds * 1000;
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 10_000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** HH:MM in the agent's time zone (the server's clock, which is what its admin reads). */
export function hhmm(unixMs: number): string {
  const d = new Date(unixMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function hhmmss(unixMs: number): string {
  return `${hhmm(unixMs)}:${pad(new Date(unixMs).getSeconds())}`;
}

/** A <time> with the full instant for a tooltip and machine readers. */
export function time(unixMs: number, withSeconds = false): string {
  const iso = new Date(unixMs).toISOString();
  return `<time datetime="${iso}" title="${iso}">${withSeconds ? hhmmss(unixMs) : hhmm(unixMs)}</time>`;
}

export type Mark = 'pass' | 'fail' | 'warn' | 'none' | 'pending';

// A symbol whose shape differs for each mark (it reads without colour) and a word for a screen reader.
const MARKS: Record<Mark, [string, string]> = {
  pass: ['\u2713', 'pass'],
  fail: ['\u2717', 'fail'],
  warn: ['!', 'warning'],
  none: ['\u2013', 'not applicable'],
  pending: ['\u2026', 'not known yet'],
};

export function mark(m: Mark): string {
  const [symbol, word] = MARKS[m];
  return `<span class="mark ${m}" role="img" aria-label="${word}">${symbol}</span>`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The page's own link to one endpoint × route (server-rendered drill-down). */
export function drillHref(endpoint: string, route: string): string {
  return esc(`/?endpoint=${encodeURIComponent(endpoint)}&route=${encodeURIComponent(route)}#drill`);
}
