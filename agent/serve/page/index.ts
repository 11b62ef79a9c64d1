// The status page (/): summary first, then the drill-down of the selected endpoint × route, the matrix, what to do,
// certificate revocation and the findings. Plain HTML from a snapshot only: no script, no external resource (the
// server is a Tier 0 asset with no internet), a meta refresh to stay live.
import type { StatusSnapshot } from '../snapshot.js';
import { renderDrilldown, type Selection } from './drilldown.js';
import { renderFindings, renderSignIn } from './findings.js';
import { esc } from './html.js';
import { renderMatrix } from './matrix.js';
import { renderRemedies } from './remedies.js';
import { renderRevocation } from './revocation.js';
import { renderSummary } from './summary.js';
import { viewOf } from './view.js';

export type { Selection } from './drilldown.js';

const REFRESH_SECONDS = 30;

/** Scripts are not needed, so none may run: a remote text that slipped through escaping still could not execute. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.2em 2em;color:#1b1b1b;background:#fff}
h1{font-size:20px;margin:.6em 0 .2em}h2{font-size:17px;margin:1.2em 0 .4em;border-bottom:1px solid #ccc}h3{font-size:15px;margin:.8em 0 .3em}
small{color:#555;font-weight:normal}a{color:#0b4f9c}
.top{color:#444;margin:0}
table{border-collapse:collapse}th,td{border:1px solid #c8c8c8;padding:3px 7px;text-align:left;vertical-align:top}
thead th{background:#f1f1f1}.num{text-align:right;white-space:nowrap}
.mark{display:inline-block;width:1.3em;font-weight:bold}
.mark.pass{color:#17651f}.mark.fail{color:#b00020}.mark.warn{color:#8a5a00}.mark.none,.mark.pending{color:#666}
.verdict{font-size:17px;font-weight:600;padding:.4em .6em;border-left:6px solid #999;background:#f4f4f4}
.verdict.pass{border-color:#2e8b3a;background:#e8f5e9}.verdict.fail{border-color:#b00020;background:#fdecee}.verdict.warn{border-color:#c88a00;background:#fff6e0}
tr.fail>th{background:#fdecee}tr.warn>th{background:#fff6e0}
.checklist{margin:.2em 0;padding-left:1.6em}.checklist li{margin:.1em 0}.checklist b{display:inline-block;min-width:12em}
.matrix td.c{padding:0;min-width:9em}.matrix td.c a{display:block;padding:3px 7px;color:#1b1b1b;text-decoration:none}
.matrix td.c a:hover,.matrix td.c a:focus{outline:2px solid #0b4f9c}
.matrix td.c small{display:block}.matrix .pat{display:block}.matrix tr.group th{background:#e9eef5}
.matrix [aria-current]{outline:3px solid #0b4f9c}
.c.ok{background:#dcf1dd}.c.fail{background:#f7cfd3}.c.warn{background:#fbe6b3}.c.pending{background:#eee}.c.none small{padding:3px 7px;color:#555}
.t{color:#333}.hint{color:#555;margin:.2em 0}
.remedy{border-left:4px solid #b00020;padding:.1em .8em;margin:.6em 0;background:#fafafa}.remedy h3{margin:.3em 0}
.applies{margin:0;padding-left:1.4em;columns:2}
.bar{display:flex;width:16em;height:.9em;background:#eee;border:1px solid #bbb}.bar span{display:block;height:100%}
.key{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:middle}
.ph-dns{background:#6a3d9a}.ph-connect{background:#1f78b4}.ph-proxy_connect{background:#33a02c}.ph-tls{background:#e6ab02}.ph-request{background:#e7298a}.ph-transfer{background:#a6761d}
.probes .detail{max-width:40em;word-break:break-word}
dl.facts,dl.tls{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:.3em 0}dt{font-weight:600}dd{margin:0;word-break:break-word}
.findings{padding-left:1.2em}.remedy-text{color:#333}
@media (min-width:1100px){.cols{display:grid;grid-template-columns:max-content minmax(22em,1fr);gap:0 2em;align-items:start}.applies{columns:1}}
#drill{border:2px solid #0b4f9c;padding:0 .8em .6em;margin-top:1em}
`;

export function renderStatusPage(snapshot: StatusSnapshot, selection?: Selection): string {
  const view = viewOf(snapshot);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Entra Connect connectivity</title><style>${CSS}</style></head>
<body><h1>Entra Connect connectivity</h1>
<p class="top">${esc(snapshot.config)} &middot; ${esc(snapshot.cloud)} cloud &middot; ${snapshot.ready ? 'ready' : 'first run in progress'} &middot; refreshes every ${REFRESH_SECONDS} s &middot; <a href="/metrics">metrics</a> &middot; <a href="/status">status JSON</a></p>
<main>
${renderSummary(view)}
${renderDrilldown(view, selection)}
<div class="cols">${renderMatrix(view, selection)}
${renderRemedies(view)}</div>
${renderRevocation(view)}
${renderFindings(view)}
${renderSignIn(view)}
</main></body></html>
`;
}
