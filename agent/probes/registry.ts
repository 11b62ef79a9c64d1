// Every probe kind the agent runs, in one place. A new kind is a folder under probes/ plus one line here.
import { httpProbe } from './http/index.js';
import { idleProbe } from './idle/index.js';
import type { AnyProbe } from './probe.js';
import { revocationProbe } from './revocation/index.js';
import { signInProbe } from './signin/index.js';

export const PROBES = [httpProbe, idleProbe, signInProbe, revocationProbe] as const satisfies readonly AnyProbe[];

export type ProbeKind = (typeof PROBES)[number]['kind'];
/** The result of any registered kind, told apart by `kind`. */
export type AnyResult = Awaited<ReturnType<(typeof PROBES)[number]['run']>>;
