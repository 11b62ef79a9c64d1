// Endpoints as rows grouped by category, routes as columns; each cell says its result in words (the colour only
// repeats it), the total time, and for a failure its reason and since when it fails. A cell opens its drill-down.
import { CATEGORIES, type Category } from '../../config/catalogue.js';
import type { ProbeResult } from '../../probes/http/result.js';
import type { EndpointFacts } from '../snapshot.js';
import { drillHref, esc, hhmm, ms, plural, time } from './html.js';
import type { PageView } from './view.js';

export const CATEGORY_TITLES: Record<Category, string> = {
  directory: 'Directory and sync',
  authentication: 'Authentication',
  mfa: 'Multifactor authentication',
  certificate: 'Certificates (CRL and OCSP)',
  azure: 'Azure',
  telemetry: 'Telemetry',
  health: 'Connect Health',
  custom: 'Added in the configuration',
};

/** Why an endpoint is not probed over a route: the way Windows would not send it either. */
function notThisWay(view: PageView, endpoint: EndpointFacts, route: string): string | undefined {
  const facts = view.snapshot.routes.find((x) => x.name === route);
  if (!facts || facts.probes.includes(endpoint.id)) return undefined;
  if (facts.carries === 'revocation') return 'this route carries only the revocation checks';
  if (endpoint.category === 'certificate') return `revocation checks go through route ${facts.revocation}`;
  return 'not probed over this route';
}

function cell(view: PageView, endpoint: EndpointFacts, route: string, selected: boolean): string {
  const r: ProbeResult | undefined = view.cell(endpoint.id, route);
  const href = drillHref(endpoint.id, route);
  const current = selected ? ' aria-current="true"' : '';
  const elsewhere = r ? undefined : notThisWay(view, endpoint, route);
  if (elsewhere) return `<td class="c none"><small aria-label="${esc(`${endpoint.id} over ${route}: ${elsewhere}`)}">${esc(elsewhere)}</small></td>`;
  if (!r) return `<td class="c pending"><a href="${href}"${current} aria-label="${esc(`${endpoint.id} over ${route}: not probed yet`)}">not probed yet</a></td>`;
  const bypass = r.via === 'direct' && view.snapshot.routes.find((x) => x.name === route)?.proxy ? ' <small>direct</small>' : '';
  if (r.success) {
    const label = `${endpoint.id} over ${route}: OK, ${ms(r.durationSeconds)}${r.httpStatus ? `, HTTP ${r.httpStatus}` : ''}`;
    return `<td class="c ok"><a href="${href}"${current} aria-label="${esc(label)}">OK <span class="t">${ms(r.durationSeconds)}</span>${bypass}</a></td>`;
  }
  const streak = view.streak('http', endpoint.id, route);
  const since = streak ? `failing since ${hhmm(streak.since)}, ${plural(streak.runs, 'run')}` : '';
  const kind = r.required ? 'fail' : 'warn';
  const label = `${endpoint.id} over ${route}: ${r.required ? 'failed' : 'failed (optional endpoint)'}, ${r.reason ?? 'unknown reason'}, ${ms(r.durationSeconds)}${since ? `, ${since}` : ''}`;
  const sinceHtml = streak ? `<small>failing since ${time(streak.since)}, ${plural(streak.runs, 'run')}</small>` : '';
  return `<td class="c ${kind}"><a href="${href}"${current} aria-label="${esc(label)}"><b>${esc(r.reason ?? 'failed')}</b> <span class="t">${ms(r.durationSeconds)}</span>${bypass}${r.required ? '' : ' <small>optional</small>'}${sinceHtml}</a></td>`;
}

export function renderMatrix(view: PageView, selected?: { endpoint: string; route: string }): string {
  const routes = view.snapshot.routes.map((r) => r.name);
  const head = routes.map((r) => `<th scope="col">${esc(r)}</th>`).join('');
  const groups = CATEGORIES.map((category) => ({ category, endpoints: view.snapshot.endpoints.filter((e) => e.category === category) })).filter((g) => g.endpoints.length > 0);
  const body = groups
    .map(({ category, endpoints }) => {
      const title = `<tr class="group"><th scope="rowgroup" colspan="${routes.length + 1}">${esc(CATEGORY_TITLES[category])}</th></tr>`;
      const rows = endpoints
        .map((e) => {
          const cells = routes.map((route) => cell(view, e, route, selected?.endpoint === e.id && selected.route === route)).join('');
          return `<tr><th scope="row" title="${esc(e.url)}">${esc(e.id)}${e.required ? '' : ' <small>optional</small>'}<small class="pat">${esc(e.pattern)}</small></th>${cells}</tr>`;
        })
        .join('');
      return `<tbody>${title}${rows}</tbody>`;
    })
    .join('');
  return `<section id="matrix" aria-labelledby="matrix-h"><h2 id="matrix-h">Endpoints by route</h2>
<p class="hint">Each cell: result, total time; for a failure, its reason and since when. Open a cell for its last probes.</p>
<table class="matrix"><thead><tr><th scope="col">Endpoint</th>${head}</tr></thead>${body}</table></section>`;
}
