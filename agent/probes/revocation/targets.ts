// What the revocation kind fetches: the CRL and OCSP URLs named by the chains the http probes were served, each
// once per revocation route, under the catalogue row whose pattern covers its host. A URL no row covers is still
// fetched (the admin learns whether it gets through) and carries a finding with the catalogue entry to add.
import type { Endpoint } from '../../config/catalogue.js';
import { revocationRoute, routeGoesDirect, type Plan, type Route } from '../../plan/plan.js';
import type { ProbeResult } from '../http/result.js';
import type { SeenResults } from '../probe.js';
import { mapRevocationUrls, type RevocationFinding, type RevocationKind, type RevocationUrl } from './urls.js';

/** A hostile or odd set of chains does not become hundreds of fetches a run. */
export const MAX_REVOCATION_TARGETS = 64;

export interface RevocationTarget {
  /** The catalogue row covering the URL's host; undefined for a host no row covers (then `finding` says so). */
  endpoint?: Endpoint;
  finding?: RevocationFinding;
  route: Route;
  via: 'proxy' | 'direct';
  type: RevocationKind;
  url: string;
  certificate: string;
  /** The DER CertID (hex) an OCSP request asks about. */
  certId?: string;
  servedOver: string[];
}

export function revocationTargets(plan: Plan, seen: SeenResults): RevocationTarget[] {
  const routes = new Map(plan.routes.map((r) => [r.name, r]));
  const byKey = new Map<string, { url: RevocationUrl; route: Route; servedOver: Set<string> }>();
  for (const result of seen.latest('http') as readonly ProbeResult[]) {
    const route = routes.get(result.route);
    if (!route || !result.revocationUrls) continue;
    const via = revocationRoute(plan.routes, route);
    for (const url of result.revocationUrls) {
      // An OCSP responder is asked about one certificate: without its issuer there is no question to ask.
      if (url.kind === 'ocsp' && !url.certId) continue;
      const key = `${via.name}\u0000${url.kind}\u0000${url.url}`;
      const known = byKey.get(key);
      if (known) known.servedOver.add(route.name);
      else if (byKey.size < MAX_REVOCATION_TARGETS) byKey.set(key, { url, route: via, servedOver: new Set([route.name]) });
    }
  }
  const entries = [...byKey.values()];
  const { mapped, findings } = mapRevocationUrls(
    entries.map((e) => e.url),
    plan.endpoints.filter((e) => e.scheme === 'http'),
  );
  return entries.map(({ url, route, servedOver }) => {
    const row = mapped.find((m) => m.url === url.url && m.kind === url.kind)?.endpoint;
    const finding = row ? undefined : findings.find((f) => f.host === url.host);
    return {
      ...(row ? { endpoint: row } : {}),
      ...(finding ? { finding } : {}),
      route,
      via: routeGoesDirect(route, new URL(url.url)) ? 'direct' : 'proxy',
      type: url.kind,
      url: url.url,
      certificate: url.certificate,
      ...(url.certId ? { certId: url.certId } : {}),
      servedOver: [...servedOver].sort(),
    };
  });
}
