// One TLS SecureContext per set of trust anchors. Passing `ca` to tls.connect builds a fresh context (and parses
// every root certificate again) for each connection: ~150 roots per probe cost CPU and native memory that the soak
// showed as RSS growth. The plan's `ca` array lives as long as the plan, so a WeakMap keyed on it is freed on reload.
import { createSecureContext, type SecureContext } from 'node:tls';

const contexts = new WeakMap<readonly string[], SecureContext>();

export function secureContextFor(ca: readonly string[] | undefined): SecureContext | undefined {
  if (!ca) return undefined;
  let context = contexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca: [...ca] });
    contexts.set(ca, context);
  }
  return context;
}
