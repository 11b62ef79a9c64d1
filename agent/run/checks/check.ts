// One check: a name from the closed set, a title for progress lines, and a function over the shared context.
import type { CheckContext, Verdict } from './context.js';
import type { CheckName } from './names.js';

export interface Check {
  name: CheckName;
  title: string;
  run(ctx: CheckContext): Promise<Verdict>;
}
