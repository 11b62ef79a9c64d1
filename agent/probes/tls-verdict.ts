// Whether a validated TLS chain is Microsoft's own: the anchor the chain ended at against the roots the cloud's
// endpoints use. An inspecting proxy whose root this server trusts (pushed by group policy) passes validation; only
// the anchor tells its chain from Microsoft's. net/ reports the chain; the verdict is the probes'.
import type { TlsFacts } from '../net/types.js';
import type { ExpectedRoot } from '../plan/roots.js';

/** The `root` label value of a chain that ended at none of the expected roots. */
export const OTHER_ROOT = 'other';

export interface TlsVerdict {
  /** The expected root's id, or `other`. */
  root: string;
  /** Set when the chain ended elsewhere: one line naming what was seen (for the detail, never a label). */
  intercepted?: string;
}

export function judgeChain(tls: TlsFacts, expected: readonly ExpectedRoot[], host: string): TlsVerdict | undefined {
  if (expected.length === 0) return undefined;
  const match = tls.anchor ? expected.find((r) => r.spkiSha256 === tls.anchor!.spkiSha256) : undefined;
  if (match) return { root: match.id };
  const seen = tls.anchor ? `the root ${tls.anchor.subject}` : 'a root not found in the trust store';
  return {
    root: OTHER_ROOT,
    intercepted: `the certificate of ${host} was issued by ${tls.chain[0]?.issuer ?? tls.issuer} and chains to ${seen}, not to a root Microsoft's endpoints use (TLS inspection)`,
  };
}
