// Certificate revocation: the CRL and OCSP URLs the served chains name, as Windows fetches them (over each route's
// revocation route), with what answered; a URL under no catalogue row says which entry would add it.
import type { RevocationResult } from '../../probes/revocation/result.js';
import { esc, mark, ms } from './html.js';
import type { PageView } from './view.js';

function answer(r: RevocationResult): string {
  if (r.crl) return `CRL, ${r.crl.revoked} revoked${r.crl.nextUpdate ? `, next update ${r.crl.nextUpdate}` : ''}`;
  if (r.ocsp) return `OCSP ${r.ocsp.responseStatus}${r.ocsp.certStatus ? `, ${r.ocsp.certStatus}` : ''}${r.ocsp.nextUpdate ? `, next update ${r.ocsp.nextUpdate}` : ''}`;
  return '';
}

function row(r: RevocationResult): string {
  const state = r.success ? 'pass' : 'fail';
  const result = r.success ? `${mark('pass')}OK ${ms(r.durationSeconds)}` : `${mark('fail')}<b>${esc(r.reason ?? 'failed')}</b> ${ms(r.durationSeconds)}`;
  const what = r.success ? esc(answer(r)) : `${esc(r.detail ?? '')}${r.remedy ? `<br><span class="remedy-text">${esc(r.remedy)}</span>` : ''}`;
  const served = r.servedOver.filter((name) => name !== r.route);
  return `<tr class="${state === 'fail' ? 'fail' : 'ok'}"><th scope="row">${esc(r.endpoint ?? 'no catalogue row')}</th><td>${esc(r.type)}</td><td class="detail">${esc(r.url)}</td><td>${esc(r.route)} <small>${esc(r.via)}${served.length ? `, for ${esc(served.join(', '))}` : ''}</small></td><td>${result}</td><td class="detail">${what}</td></tr>`;
}

export function renderRevocation(view: PageView): string {
  if (view.revocation.length === 0) return '';
  const rows = [...view.revocation].sort((a, b) => Number(a.success) - Number(b.success) || a.url.localeCompare(b.url));
  const uncovered = [...new Map(view.revocation.flatMap((r) => r.findings ?? []).map((f) => [f.host, f])).values()];
  const findings = uncovered.length
    ? `<h3>Hosts no catalogue row covers</h3><ul class="findings">${uncovered.map((f) => `<li class="warn">${mark('warn')}<b>${esc(f.host)}</b> ${esc(f.message)}<br><span class="remedy-text">${esc(f.remedy)}</span></li>`).join('')}</ul>`
    : '';
  return `<section id="revocation" aria-labelledby="revocation-h"><h2 id="revocation-h">Certificate revocation</h2>
<p class="hint">The CRL and OCSP URLs in the certificates Microsoft's endpoints served, fetched as Windows does (a GET of the CRL, an OCSP request POSTed) over each route's revocation route.</p>
<table class="probes"><thead><tr><th scope="col">Row</th><th scope="col">Type</th><th scope="col">URL</th><th scope="col">Route</th><th scope="col">Result</th><th scope="col">Answer or what to do</th></tr></thead><tbody>${rows.map(row).join('')}</tbody></table>${findings}</section>`;
}
