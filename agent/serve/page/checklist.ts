// The article's order as a checklist: machine.config, the proxy, the connectivity test URL, the other endpoints, the
// idle timeout, sign-in, host findings; one mark per step from what the snapshot holds, and the overall verdict.
import { CONNECTIVITY_TEST_ENDPOINT } from '../../config/catalogue.js';
import type { Finding } from '../../finding.js';
import { esc, mark, plural, type Mark } from './html.js';
import type { PageView } from './view.js';

export interface Step {
  title: string;
  mark: Mark;
  /** Plain text; escaped when rendered. */
  text: string;
  /** Where on the page the step's detail is. */
  anchor?: string;
}

function fromFindings(findings: Finding[], what: string): Pick<Step, 'mark' | 'text'> {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  if (errors.length > 0) return { mark: 'fail', text: `${plural(errors.length, 'problem')} in ${what}: ${errors[0]!.code}` };
  if (warnings.length > 0) return { mark: 'warn', text: `${plural(warnings.length, 'warning')} in ${what}: ${warnings[0]!.code}` };
  return { mark: 'pass', text: `${what}: no problem found` };
}

function machineConfigStep(view: PageView): Step {
  const routes = view.snapshot.routes.filter((r) => r.machineConfig);
  const title = 'machine.config';
  if (routes.length === 0) return { title, mark: 'none', text: 'no route reads its proxy from machine.config' };
  return { title, anchor: 'findings', ...fromFindings(routes.flatMap((r) => r.machineConfig!.findings), `machine.config (${routes.map((r) => r.name).join(', ')})`) };
}

function proxyStep(view: PageView): Step {
  const proxied = view.snapshot.routes.filter((r) => r.proxy);
  const title = 'Proxy reachable';
  if (proxied.length === 0) return { title, mark: 'none', text: 'no route uses a proxy' };
  const down = proxied.filter((r) => r.reachable === false);
  if (down.length > 0) return { title, anchor: 'summary', mark: 'fail', text: `not reachable: ${down.map((r) => `${r.name} (${r.proxy})`).join(', ')}` };
  if (proxied.every((r) => r.reachable === true)) return { title, mark: 'pass', text: `${plural(proxied.length, 'proxy', 'proxies')} took connections` };
  return { title, mark: 'pending', text: 'no probe has reached the proxy yet' };
}

function endpointStep(view: PageView, title: string, pick: (endpoint: string) => boolean, none: string): Step {
  const results = view.http.filter((r) => pick(r.endpoint));
  if (!view.snapshot.endpoints.some((e) => pick(e.id))) return { title, mark: 'none', text: none };
  if (results.length === 0) return { title, mark: 'pending', text: 'not probed yet' };
  const failed = results.filter((r) => !r.success);
  const required = failed.filter((r) => r.required);
  const names = (rs: typeof failed) => rs.slice(0, 3).map((r) => `${r.endpoint} via ${r.route}: ${r.reason}`).join('; ') + (rs.length > 3 ? `; and ${rs.length - 3} more` : '');
  if (required.length > 0) return { title, anchor: 'matrix', mark: 'fail', text: `${plural(required.length, 'probe')} failing: ${names(required)}` };
  if (failed.length > 0) return { title, anchor: 'matrix', mark: 'warn', text: `optional only: ${names(failed)}` };
  return { title, mark: 'pass', text: `${plural(results.length, 'probe')} answered` };
}

function idleStep(view: PageView): Step {
  const title = 'Proxy idle timeout';
  if (!view.snapshot.scheduled.idle) return { title, mark: 'none', text: 'not measured (idle check off, or no proxied route carries the export endpoint)' };
  const routes = view.snapshot.routes.filter((r) => r.idle);
  if (routes.length === 0) return { title, mark: 'pending', text: 'the first idle cycle has not finished (it holds tunnels for minutes)' };
  const failing = routes.filter((r) => r.idle!.verdict === 'fail');
  if (failing.length > 0) return { title, anchor: 'summary', mark: 'fail', text: `closes idle tunnels too early: ${failing.map((r) => `${r.name}${r.idle!.closeSeconds !== null ? ` after ${r.idle!.closeSeconds.toFixed(1)} s` : ''}`).join(', ')}` };
  const errors = routes.filter((r) => r.idle!.verdict === 'error');
  if (errors.length > 0) return { title, anchor: 'summary', mark: 'warn', text: `the cycle could not run on ${errors.map((r) => r.name).join(', ')}` };
  return { title, mark: 'pass', text: `idle tunnels outlive ${routes[0]!.idle!.requiredSeconds} s on ${plural(routes.length, 'route')}` };
}

function signInStep(view: PageView): Step {
  const title = 'Sign-in discovery';
  if (!view.snapshot.scheduled.signin) return { title, mark: 'none', text: 'no tenant domain configured' };
  if (view.signIn.length === 0) return { title, mark: 'pending', text: 'not run yet' };
  const found = fromFindings(view.signIn.flatMap((r) => r.findings), `sign-in discovery for ${view.signIn[0]!.domain}`);
  return { title, anchor: 'signin', ...found };
}

function hostStep(view: PageView): Step {
  const title = 'Host findings';
  const findings = view.snapshot.findings;
  if (!findings) return { title, mark: 'none', text: 'no host check in this agent' };
  return { title, anchor: 'findings', ...fromFindings(findings, 'this host') };
}

export function checklist(view: PageView): Step[] {
  return [
    machineConfigStep(view),
    proxyStep(view),
    endpointStep(view, 'Connectivity test URL', (id) => id === CONNECTIVITY_TEST_ENDPOINT, `${CONNECTIVITY_TEST_ENDPOINT} is not in the plan`),
    endpointStep(view, 'Other endpoints', (id) => id !== CONNECTIVITY_TEST_ENDPOINT, 'no other endpoint in the plan'),
    idleStep(view),
    signInStep(view),
    hostStep(view),
  ];
}

/** The worst mark of the steps that apply. */
export function overall(steps: Step[]): Mark {
  for (const m of ['fail', 'warn', 'pending'] as const) if (steps.some((s) => s.mark === m)) return m;
  return 'pass';
}

export function renderChecklist(steps: Step[]): string {
  const items = steps
    .map((s) => `<li class="${s.mark}">${mark(s.mark)}<b>${esc(s.title)}</b> ${s.anchor && (s.mark === 'fail' || s.mark === 'warn') ? `<a href="#${s.anchor}">${esc(s.text)}</a>` : esc(s.text)}</li>`)
    .join('');
  return `<ol class="checklist" aria-label="The article's order of checks">${items}</ol>`;
}
