// The first thing an admin reads: one verdict line, one line per route (proxy, reachable, authentication, idle
// timeout, endpoint counts) and the article's order as a checklist.
import type { RouteFacts } from '../snapshot.js';
import { checklist, overall, renderChecklist } from './checklist.js';
import { drillHref, esc, mark, plural, time, type Mark } from './html.js';
import type { PageView } from './view.js';

function reachableCell(r: RouteFacts): string {
  if (r.proxy === null) return `${mark('none')}no proxy`;
  if (r.reachable === null) return `${mark('pending')}not known yet`;
  return r.reachable ? `${mark('pass')}reachable` : `${mark('fail')}not reachable`;
}

function authCell(r: RouteFacts): string {
  const used = r.authScheme ? `${esc(r.authScheme)}${r.username ? ` as ${esc(r.username)}` : ''}` : 'none sent';
  return r.authOffered ? `${used}; the proxy asks for ${esc(r.authOffered.join(', ') || 'an unnamed scheme')}` : used;
}

function idleCell(r: RouteFacts): string {
  const idle = r.idle;
  if (!idle) return `${mark('none')}not measured`;
  const required = `required ${idle.requiredSeconds} s`;
  if (idle.verdict === 'pass') return `${mark('pass')}pass (${required})`;
  if (idle.verdict === 'error') return `${mark('warn')}could not run`;
  const how = idle.silentDrop ? 'dropped silently' : idle.closeSeconds !== null ? `closed after ${idle.closeSeconds.toFixed(1)} s` : 'closed';
  return `${mark('fail')}fail: ${how} (${required})`;
}

function countsCell(view: PageView, r: RouteFacts): { mark: Mark; html: string } {
  const results = view.http.filter((x) => x.route === r.name);
  if (results.length === 0) return { mark: 'pending', html: `${mark('pending')}not probed yet` };
  const failing = view.failing(r.name);
  const ok = results.length - failing.length;
  if (failing.length === 0) return { mark: 'pass', html: `${mark('pass')}${ok} OK` };
  const names = failing
    .slice(0, 4)
    .map((f) => `<a href="${drillHref(f.endpoint, f.route)}">${esc(f.endpoint)}</a>`)
    .join(', ');
  const m: Mark = failing.some((f) => f.required) ? 'fail' : 'warn';
  return { mark: m, html: `${mark(m)}${ok} OK, <b>${failing.length} failing</b>: ${names}${failing.length > 4 ? ', ...' : ''}` };
}

function headline(view: PageView, verdict: Mark): string {
  const { snapshot } = view;
  if (view.http.length === 0) return `<p class="verdict pending">${mark('pending')}${snapshot.ready ? 'No results yet.' : 'The first probe run is in progress.'}</p>`;
  const failingRoutes = snapshot.routes.map((r) => ({ r, n: view.failing(r.name).length })).filter((x) => x.n > 0);
  const text =
    failingRoutes.length > 0
      ? `Failing on ${failingRoutes.map((x) => `route ${esc(x.r.name)} (${plural(x.n, 'endpoint')})`).join(', ')}`
      : verdict === 'pass'
        ? 'Sync\u2019s path is healthy: every endpoint answers over every route'
        : 'Every endpoint answers; see the checklist for the rest';
  return `<p class="verdict ${verdict}">${mark(verdict)}${text}</p>`;
}

export function renderSummary(view: PageView): string {
  const steps = checklist(view);
  const verdict = overall(steps);
  const rows = view.snapshot.routes
    .map((r) => {
      const counts = countsCell(view, r);
      return `<tr class="${counts.mark}"><th scope="row">${esc(r.name)}</th><td>${r.proxy ? esc(r.proxy) : 'direct'}</td><td>${reachableCell(r)}</td><td>${authCell(r)}</td><td>${idleCell(r)}</td><td>${counts.html}</td></tr>`;
    })
    .join('');
  const asOf = `as of ${time(view.snapshot.takenAt, true)}`;
  return `<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary <small>${asOf}</small></h2>
${headline(view, verdict)}
<table class="routes"><thead><tr><th scope="col">Route</th><th scope="col">Proxy</th><th scope="col">Reachable</th><th scope="col">Authentication</th><th scope="col">Idle timeout</th><th scope="col">Endpoints</th></tr></thead><tbody>${rows}</tbody></table>
<h3>In the article's order</h3>${renderChecklist(steps)}</section>`;
}
