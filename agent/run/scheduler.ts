// A cron schedule that never overlaps a run with the previous one: a tick that finds the last run still going is
// skipped and counted.
import cron, { type ScheduledTask } from 'node-cron';

export interface Schedule {
  stop(): void;
  /** Resolves when the run in progress (if any) has ended. */
  idle(): Promise<void>;
  readonly running: boolean;
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
  const task: ScheduledTask = cron.schedule(expression, tick);
  return {
    stop: () => void task.destroy(),
    idle: () => (inFlight ?? Promise.resolve()).then(() => undefined),
    get running() {
      return inFlight !== undefined;
    },
  };
}
