// One TLS SecureContext per set of trust anchors and offered versions. Passing `ca` to tls.connect builds a fresh
// context (and parses every root certificate again) for each connection: ~150 roots per probe cost CPU and native
// memory that the soak showed as RSS growth. The plan's `ca` array lives as long as the plan, so a WeakMap keyed on it
// is freed on reload. The versions live in the context too: tls.connect ignores minVersion/maxVersion next to a
// secureContext.
import { createSecureContext, type SecureContext } from 'node:tls';
import { DEFAULT_TLS_VERSIONS, type TlsVersionRange } from './types.js';

const withCa = new WeakMap<readonly string[], Map<string, SecureContext>>();
const systemOnly = new Map<string, SecureContext>();

export function secureContextFor(ca: readonly string[] | undefined, versions: TlsVersionRange = DEFAULT_TLS_VERSIONS): SecureContext {
  let byVersions = ca ? withCa.get(ca) : systemOnly;
  if (!byVersions) {
    byVersions = new Map();
    withCa.set(ca!, byVersions);
  }
  const key = `${versions.min}-${versions.max}`;
  let context = byVersions.get(key);
  if (!context) {
    context = createSecureContext({ ...(ca ? { ca: [...ca] } : {}), minVersion: versions.min, maxVersion: versions.max });
    byVersions.set(key, context);
  }
  return context;
}
