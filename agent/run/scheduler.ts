// A cron schedule that never overlaps a run with the previous one: a tick that finds the last run still going is
// skipped and counted.
//
// node-cron reads the clock through Intl.DateTimeFormat once a second to decide whether a tick is due; the ICU data
// that touches stays resident (several MiB of an idle daemon's RSS, bench/footprint.ts). node-cron still parses and
// validates the expression (same syntax, same meaning), but for expressions made only of plain values (numbers,
// ranges, steps, lists, names: every schedule the configuration ships with) the next fire time is computed here with
// Date's local-time getters and one timer per tick. Expressions with L, W or # keep node-cron's scheduler.
import cron, { type ScheduledTask } from 'node-cron';

export interface Schedule {
  stop(): void;
  /** Resolves when the run in progress (if any) has ended. */
  idle(): Promise<void>;
  readonly running: boolean;
}

/** Allowed values of each field, in node-cron's order: second, minute, hour, day of month, month (1-12), day of week (0-6). */
export type CronFields = readonly [ReadonlySet<number>, ReadonlySet<number>, ReadonlySet<number>, ReadonlySet<number>, ReadonlySet<number>, ReadonlySet<number>];

/** The expression's fields as sets of numbers, or undefined when a field holds a token (L, W, #) only node-cron evaluates. */
export function plainFields(expression: string): CronFields | undefined {
  const f = cron.parse(expression);
  const fields = [f.second, f.minute, f.hour, f.dayOfMonth, f.month, f.dayOfWeek];
  if (!fields.every((values) => values.every((v) => typeof v === 'number'))) return undefined;
  return fields.map((values) => new Set(values as number[])) as unknown as CronFields;
}

/** Far enough to find any date a valid plain expression names (29 February falls in every 8 years, weekday included: 28). */
const SEARCH_YEARS = 30;

/**
 * The first time (ms since the epoch, on a whole second) strictly after `after` whose local time matches `fields`.
 * Walks forward field by field in absolute time, reading local time with Date's getters: a local time that a
 * daylight-saving change skips is never matched, and one it repeats matches at each of its instants (as node-cron).
 * Seconds and minutes are absolute, so every-N-minutes schedules keep their spacing across a change.
 */
export function nextFire(fields: CronFields, after: number): number | undefined {
  const [seconds, minutes, hours, days, months, weekdays] = fields;
  let t = Math.floor(after / 1000) * 1000 + 1000;
  const limit = t + SEARCH_YEARS * 366 * 86_400_000;
  while (t < limit) {
    const d = new Date(t);
    if (!months.has(d.getMonth() + 1)) {
      t = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
      continue;
    }
    if (!days.has(d.getDate()) || !weekdays.has(d.getDay())) {
      t = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
      continue;
    }
    if (!hours.has(d.getHours())) {
      t += ((60 - d.getMinutes()) * 60 - d.getSeconds()) * 1000;
      continue;
    }
    if (!minutes.has(d.getMinutes())) {
      t += (60 - d.getSeconds()) * 1000;
      continue;
    }
    if (!seconds.has(d.getSeconds())) {
      t += 1000;
      continue;
    }
    return t;
  }
  return undefined;
}

/** A wait is cut into pieces this long at most, so that a wall clock set back is noticed within one. */
const MAX_WAIT_MS = 60_000;

/** Calls `tick` at each time `fields` names; stop() ends it. */
function timerSchedule(fields: CronFields, tick: () => void): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let due = nextFire(fields, Date.now());
  const arm = () => {
    if (stopped || due === undefined) return;
    timer = setTimeout(wake, Math.min(Math.max(0, due - Date.now()), MAX_WAIT_MS));
  };
  const wake = () => {
    const now = Date.now();
    if (due !== undefined && now >= due) {
      // Late wakes (a suspended machine) fire once, then the schedule resumes from now: missed ticks are not replayed.
      due = nextFire(fields, now);
      tick();
    } else {
      // Early (a long wait in pieces, or the clock set back): the next fire time as seen from now.
      due = nextFire(fields, now);
    }
    arm();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export function schedule(expression: string, run: () => Promise<unknown>, onSkip: () => void, onError: (err: unknown) => void): Schedule {
  let inFlight: Promise<unknown> | undefined;
  const tick = () => {
    if (inFlight) {
      onSkip();
      return;
    }
    inFlight = run()
      .catch(onError)
      .finally(() => {
        inFlight = undefined;
      });
  };
  const fields = plainFields(expression);
  let stop: () => void;
  if (fields) {
    stop = timerSchedule(fields, tick).stop;
  } else {
    const task: ScheduledTask = cron.schedule(expression, tick);
    stop = () => void task.destroy();
  }
  return {
    stop,
    idle: () => (inFlight ?? Promise.resolve()).then(() => undefined),
    get running() {
      return inFlight !== undefined;
    },
  };
}
