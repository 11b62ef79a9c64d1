// Which hosts in a proxy log are Microsoft Entra Connect traffic, built from the endpoint catalogues of every
// cloud present (their endpoints and the directory domains where discovery hands out regional names), and which
// are the article's ignorable noise.
import { hostMatchesPattern, type Catalogue } from '../config/catalogue.js';
import { detached } from './record.js';

/** The article: "DNS resolution lists the actual hosts as being in the DNS namespace nsatc.net ... You don't have to add these URLs to the proxy." */
const DNS_ONLY_NOISE = ['*.nsatc.net'];

/** Steps of the article's reference proxy log, by the role of the host. */
export type HostRole = 'login' | 'adminwebservice' | 'anchor' | 'provisioningapi' | 'relay';

export type HostClass =
  | {
      kind: 'entra';
      /** Catalogue endpoint ids whose pattern covers the host. */
      endpoints: string[];
      /** Under a directory domain but not a host any catalogue names: chosen by discovery. */
      regional: boolean;
      role?: HostRole;
      /** Its pattern, for a catalogue entry that adds it to the probes. */
      pattern: string;
    }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unrelated' };

interface Pattern {
  pattern: string;
  endpointIds: string[];
  required: boolean;
  description: string;
}

export class HostClassifier {
  private readonly patterns: Pattern[] = [];
  private readonly directoryDomains: string[];
  /** Catalogue endpoint ids by the host they probe. */
  private readonly endpointsByHost = new Map<string, string[]>();
  private readonly loginHosts = new Set<string>();
  /** Classification is a handful of pattern matches; a log names few hosts, so cache (bounded). */
  private readonly cache = new Map<string, HostClass>();

  constructor(catalogues: Catalogue[]) {
    const byPattern = new Map<string, Pattern>();
    const directory = new Set<string>();
    for (const catalogue of catalogues) {
      for (const domain of catalogue.directoryDomains) directory.add(domain.toLowerCase());
      for (const host of catalogue.loginHosts) this.loginHosts.add(host.toLowerCase());
      for (const endpoint of catalogue.endpoints) {
        const probed = endpoint.host.toLowerCase();
        const ids = this.endpointsByHost.get(probed) ?? [];
        if (!ids.includes(endpoint.id)) ids.push(endpoint.id);
        this.endpointsByHost.set(probed, ids);
        const key = endpoint.pattern.toLowerCase();
        const entry = byPattern.get(key) ?? { pattern: key, endpointIds: [], required: false, description: endpoint.description };
        if (!entry.endpointIds.includes(endpoint.id)) entry.endpointIds.push(endpoint.id);
        entry.required ||= endpoint.required;
        byPattern.set(key, entry);
        if (endpoint.exports && key.startsWith('*.')) directory.add(key);
      }
    }
    this.patterns = [...byPattern.values()];
    this.directoryDomains = [...directory];
  }

  classify(host: string): HostClass {
    const cached = this.cache.get(host);
    if (cached) return cached;
    const result = this.compute(host);
    if (this.cache.size < 10_000) this.cache.set(detached(host), result);
    return result;
  }

  private compute(host: string): HostClass {
    if (!host) return { kind: 'unrelated' };
    if (DNS_ONLY_NOISE.some((p) => hostMatchesPattern(host, p))) {
      return { kind: 'ignored', reason: 'DNS-only name (nsatc.net): no web service requests are made to it, it need not be opened in the proxy' };
    }
    const matching = this.patterns.filter((p) => hostMatchesPattern(host, p.pattern));
    if (matching.length > 0 && matching.every((p) => !p.required)) {
      return { kind: 'ignored', reason: `not required (${matching[0]!.description})` };
    }
    const directoryDomain = this.directoryDomains.find((d) => hostMatchesPattern(host, d));
    if (matching.length === 0 && !directoryDomain) return { kind: 'unrelated' };
    const required = matching.filter((p) => p.required);
    const probedHere = this.endpointsByHost.get(host);
    const role = directoryDomain !== undefined || this.loginHosts.has(host) ? roleOf(host, this.loginHosts) : undefined;
    return {
      kind: 'entra',
      // The endpoints that probe this very host, else those whose pattern covers it.
      endpoints: probedHere ?? [...new Set(required.flatMap((p) => p.endpointIds))],
      // Login and discovery hosts are the same everywhere; only the hosts discovery hands out are regional.
      regional:
        directoryDomain !== undefined && !probedHere && !this.loginHosts.has(host) && role !== 'login' && role !== 'adminwebservice' && role !== 'provisioningapi',
      role,
      pattern: directoryDomain ?? required[0]!.pattern,
    };
  }
}

function roleOf(host: string, loginHosts: Set<string>): HostRole | undefined {
  if (loginHosts.has(host)) return 'login';
  const label = host.slice(0, host.indexOf('.'));
  if (label === 'login' || label === 'adminwebservice' || label === 'provisioningapi') return label;
  if (label.endsWith('-anchor')) return 'anchor';
  if (label.endsWith('-relay')) return 'relay';
  return undefined;
}
