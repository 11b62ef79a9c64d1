// Diagnoses that are not one probe's failure: sign-in discovery per route, what is wrong with a machine.config,
// and findings about this host when the snapshot carries them. Each with its remedy.
import { describeSignIn } from '../../report/signin-report.js';
import type { Finding } from '../../finding.js';
import { esc, mark, type Mark } from './html.js';
import type { PageView } from './view.js';

const severityMark = (f: Finding): Mark => (f.severity === 'error' ? 'fail' : f.severity === 'warning' ? 'warn' : 'none');

function findingList(findings: Finding[]): string {
  return `<ul class="findings">${findings.map((f) => `<li class="${severityMark(f)}">${mark(severityMark(f))}<b>${esc(f.code)}</b> ${esc(f.message)}<br><span class="remedy-text">${esc(f.remedy)}</span></li>`).join('')}</ul>`;
}

export function renderSignIn(view: PageView): string {
  if (view.signIn.length === 0) return '';
  const rows = view.signIn
    .map((r) => {
      const errors = r.findings.some((f) => f.severity === 'error');
      return `<tr class="${errors ? 'fail' : 'ok'}"><th scope="row">${esc(r.route)}</th><td>${esc(r.domain)}</td><td>${mark(errors ? 'fail' : 'pass')}${esc(describeSignIn(r))}</td><td>${r.findings.length ? findingList(r.findings) : 'none'}</td></tr>`;
    })
    .join('');
  return `<section id="signin"><h2>Sign-in discovery</h2><table class="signin"><thead><tr><th scope="col">Route</th><th scope="col">Domain</th><th scope="col">Discovery</th><th scope="col">Findings</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function renderFindings(view: PageView): string {
  const groups: Array<[string, Finding[]]> = view.snapshot.routes.filter((r) => r.machineConfig && r.machineConfig.findings.length > 0).map((r) => [`machine.config of route ${r.name}`, r.machineConfig!.findings]);
  if (view.snapshot.findings && view.snapshot.findings.length > 0) groups.push(['This host', view.snapshot.findings]);
  if (groups.length === 0) return '';
  return `<section id="findings" aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>${groups.map(([title, findings]) => `<h3>${esc(title)}</h3>${findingList(findings)}`).join('')}</section>`;
}
