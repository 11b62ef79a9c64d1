// Issue 7.6: the agent registers no handler that would hide a crash (uncaughtException, unhandledRejection), so an
// unhandled rejection ends the process loudly, and the fault tests that watch its stderr and exit code fail.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

it('no process-wide handler hides crashes in agent/', () => {
  const offenders = sources(join(__dirname, '..', '..', 'agent')).filter((file) =>
    /process\.(on|once|addListener|prependListener)\(\s*['"](uncaughtException|unhandledRejection|uncaughtExceptionMonitor)['"]/.test(readFileSync(file, 'utf8')),
  );
  expect(offenders).toEqual([]);
});
