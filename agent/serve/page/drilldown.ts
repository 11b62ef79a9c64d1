// One endpoint × route: its last probes from the history (phases as a stacked bar, status codes, detail), the TLS
// facts of the latest handshake, and its failures that have left the ring.
import { PHASES, type Phase } from '../../net/types.js';
import type { ProbeResult } from '../../probes/http/result.js';
import { ofKind, type PageView } from './view.js';
import { esc, ms, time } from './html.js';

const LAST_PROBES = 10;

export interface Selection {
  endpoint: string;
  route: string;
}

function phaseList(r: ProbeResult): Array<[Phase, number]> {
  return PHASES.filter((p) => r.phases[p] !== undefined).map((p) => [p, r.phases[p]!]);
}

function bar(r: ProbeResult): string {
  const phases = phaseList(r);
  const total = phases.reduce((sum, [, s]) => sum + s, 0);
  const label = phases.map(([p, s]) => `${p} ${ms(s)}`).join(', ') || 'no phase reached';
  const parts = total > 0 ? phases.map(([p, s]) => `<span class="ph-${p}" style="width:${((s / total) * 100).toFixed(1)}%"></span>`).join('') : '';
  return `<div class="bar" role="img" aria-label="${esc(label)}" title="${esc(label)}">${parts}</div>`;
}

function outcome(r: ProbeResult): string {
  return r.success ? 'OK' : `<a href="#what-${esc(r.reason)}"><b>${esc(r.reason ?? 'failed')}</b></a>`;
}

function probeRows(results: ProbeResult[]): string {
  return results
    .map(
      (r) =>
        `<tr class="${r.success ? 'ok' : 'fail'}"><td>${time(r.startedAt, true)}</td><td>${outcome(r)}</td><td class="num">${ms(r.durationSeconds)}</td><td>${bar(r)}</td><td class="num">${esc(r.httpStatus ?? '-')}</td><td class="num">${esc(r.proxyStatus ?? '-')}</td><td class="detail">${esc(r.detail ?? '')}</td></tr>`,
    )
    .join('');
}

function probeTable(results: ProbeResult[], caption: string): string {
  return `<table class="probes"><caption>${esc(caption)}</caption><thead><tr><th scope="col">Started</th><th scope="col">Result</th><th scope="col">Total</th><th scope="col">Phases</th><th scope="col">HTTP</th><th scope="col">Proxy</th><th scope="col">Detail</th></tr></thead><tbody>${probeRows(results)}</tbody></table>`;
}

function phaseTable(r: ProbeResult): string {
  const phases = phaseList(r);
  if (phases.length === 0) return '<p>The last probe reached no phase.</p>';
  const rows = phases.map(([p, s]) => `<tr><th scope="row"><span class="key ph-${p}"></span>${p}</th><td class="num">${ms(s)}</td><td class="num">${r.durationSeconds > 0 ? `${Math.round((s / r.durationSeconds) * 100)}%` : '-'}</td></tr>`).join('');
  return `<table class="phases" aria-label="Phases of the last probe"><thead><tr><th scope="col">Phase</th><th scope="col">Time</th><th scope="col">Share</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const dateOf = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/** Any fact beside the known ones (a served chain, say) is shown as it is, escaped. */
function factValue(value: unknown): string {
  if (Array.isArray(value)) return `<ol>${value.map((v) => `<li>${factValue(v)}</li>`).join('')}</ol>`;
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${esc(k)}: ${factValue(v)}`).join('; ');
  return esc(value);
}

function tlsFacts(r: ProbeResult | undefined): string {
  if (!r?.tls) return '<p>No TLS handshake completed in the probes held.</p>';
  const { version, cipher, subject, issuer, validToSeconds, earliestExpirySeconds, ...rest } = r.tls;
  const rows: Array<[string, string]> = [
    ['Version', esc(version)],
    ['Cipher', esc(cipher)],
    ['Subject', esc(subject)],
    ['Issuer', esc(issuer)],
    ['Leaf valid to', esc(dateOf(validToSeconds))],
    ['Earliest expiry in the chain served', esc(dateOf(earliestExpirySeconds))],
    ...Object.entries(rest).map(([k, v]): [string, string] => [esc(k), factValue(v)]),
  ];
  return `<dl class="tls">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl><p class="hint">From the probe started at ${time(r.startedAt, true)}.</p>`;
}

export function renderDrilldown(view: PageView, selection: Selection | undefined): string {
  if (!selection) return '';
  const endpoint = view.snapshot.endpoints.find((e) => e.id === selection.endpoint);
  const route = view.snapshot.routes.find((r) => r.name === selection.route);
  // A name not in the plan is not echoed back.
  if (!endpoint || !route) return '<section id="drill"><h2>Endpoint and route</h2><p>No endpoint \u00d7 route by that name in this plan. <a href="/">Back to the overview</a></p></section>';
  const mine = (r: ProbeResult) => r.endpoint === endpoint.id && r.route === route.name;
  const recent = ofKind(view.snapshot.history.recent, 'http').filter(mine).slice(0, LAST_PROBES);
  const failures = ofKind(view.snapshot.history.failures, 'http').filter(mine);
  const latest = view.cell(endpoint.id, route.name) ?? recent[0];
  const streak = view.streak('http', endpoint.id, route.name);
  const status = !latest ? 'not probed yet' : latest.success ? 'OK' : `${esc(latest.reason)}${streak ? `, failing since ${time(streak.since)} (${streak.runs} runs)` : ''}`;
  const facts = `<dl class="facts"><dt>URL</dt><dd>${esc(endpoint.url)}</dd><dt>Proxy must allow</dt><dd>${esc(endpoint.pattern)}</dd><dt>Goes</dt><dd>${latest ? (latest.via === 'proxy' ? `through ${esc(route.proxy)}` : 'direct') : '-'}</dd><dt>Now</dt><dd>${status}</dd>${endpoint.description ? `<dt>What for</dt><dd>${esc(endpoint.description)}</dd>` : ''}</dl>`;
  const last = recent[0] ?? latest;
  return `<section id="drill" aria-labelledby="drill-h"><h2 id="drill-h">${esc(endpoint.id)} over ${esc(route.name)} <small><a href="/#matrix">close</a></small></h2>
${facts}
<h3>Phases of the last probe</h3>${last ? `${bar(last)}${phaseTable(last)}` : '<p>Not probed yet.</p>'}
<h3>Last probes</h3>${recent.length ? probeTable(recent, recent.length === 1 ? 'The last probe' : `The last ${recent.length} probes, newest first`) : '<p>None in the history.</p>'}
<h3>TLS</h3>${tlsFacts(recent.find((r) => r.tls) ?? latest)}
<h3>Earlier failures</h3>${failures.length ? probeTable(failures, 'Failures kept after they left the history ring, newest first') : '<p>None kept beyond the last probes.</p>'}
</section>`;
}
