// "What to do": each failure reason once, with the article's remedy and every endpoint × route it applies to.
import { FAILURE_REASONS, REMEDIES, type FailureReason } from '../../probes/classify.js';
import { drillHref, esc } from './html.js';
import type { PageView } from './view.js';

interface Applies {
  label: string;
  href?: string;
}

export function renderRemedies(view: PageView): string {
  const byReason = new Map<FailureReason, Applies[]>();
  const add = (reason: FailureReason | undefined, applies: Applies) => {
    if (!reason) return;
    byReason.set(reason, [...(byReason.get(reason) ?? []), applies]);
  };
  for (const r of view.http) if (!r.success) add(r.reason, { label: `${r.endpoint} via ${r.route}`, href: drillHref(r.endpoint, r.route) });
  for (const r of view.idle) if (r.verdict === 'fail') add(r.reason, { label: `idle tunnels via ${r.route}` });
  if (byReason.size === 0) return `<section id="remedies" aria-labelledby="remedies-h"><h2 id="remedies-h">What to do</h2><p>Nothing: no probe is failing.</p></section>`;
  // In the closed set's order, which follows the article: DNS and the proxy first, the endpoint's answer last.
  const items = FAILURE_REASONS.filter((reason) => byReason.has(reason))
    .map((reason) => {
      const applies = byReason
        .get(reason)!
        .sort((a, b) => a.label.localeCompare(b.label))
        .map((a) => (a.href ? `<li><a href="${a.href}">${esc(a.label)}</a></li>` : `<li>${esc(a.label)}</li>`))
        .join('');
      return `<section class="remedy" id="what-${reason}"><h3>${esc(reason)}</h3><p>${esc(REMEDIES[reason])}</p><p>Applies to:</p><ul class="applies">${applies}</ul></section>`;
    })
    .join('');
  return `<section id="remedies" aria-labelledby="remedies-h"><h2 id="remedies-h">What to do</h2>${items}</section>`;
}
