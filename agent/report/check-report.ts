// The `check` report: a table a Windows admin can act on, or JSON for scripts.
import type { CheckOutcome } from './check-outcome.js';
import { publicResult } from '../probes/http/result.js';
import { publicRevocationResult } from '../probes/revocation/result.js';
import { signInJson, signInText } from './signin-report.js';
import { hostJson, hostText } from './host-report.js';

type CheckReport = CheckOutcome;

export function checkJson(report: CheckReport): unknown {
  return {
    ...(report.host ? { host: hostJson(report.host) } : {}),
    routes: report.routes,
    situations: report.situations,
    results: report.results.map(publicResult),
    ...(report.revocation ? { revocation: report.revocation.map(publicRevocationResult) } : {}),
    ...(report.idle
      ? {
          idle: report.idle.map((i) => ({
            route: i.route,
            endpoint: i.endpoint,
            verdict: i.verdict,
            closeSeconds: i.closeSeconds ?? null,
            silentDrop: i.silentDrop,
            requiredSeconds: i.requiredSeconds,
            minimumSeconds: i.minimumSeconds,
            holds: i.holds.map((h) => ({ holdSeconds: h.holdSeconds, survived: h.survived, ...(h.closedAfterSeconds !== undefined ? { closedAfterSeconds: h.closedAfterSeconds } : {}), ...(h.silentDrop ? { silentDrop: true } : {}) })),
            reason: i.reason ?? null,
            detail: i.detail ?? null,
            remedy: i.remedy ?? null,
          })),
        }
      : {}),
    ...(report.signIn ? { signIn: signInJson(report.signIn) } : {}),
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const firstSentence = (text: string) => {
  const m = /^(.*?[.:])(\s|$)/.exec(text);
  return m ? m[1]! : text;
};

export function checkText(report: CheckReport): string {
  const out: string[] = [];
  // A host that was not read says so in one line at the end; one that was read comes first, as check runs it.
  const hostSkipped = report.host?.skipped !== undefined && report.host.findings.length === 0;
  if (report.host && !hostSkipped) out.push(...hostText(report.host), '');
  for (const route of report.routes) {
    const heading = `Route ${route.route}: ${route.proxy ? `proxy ${route.proxy}${route.proxyReachable === false ? ' (UNREACHABLE)' : ''}` : 'direct'}${route.authScheme ? `, signed in to the proxy with ${route.authScheme}` : ''}`;
    const revocationOf = report.routes.filter((r) => r.revocation === route.route && r.route !== route.route).map((r) => `route ${r.route}`);
    const carriesLine =
      revocationOf.length > 0 || route.carries === 'revocation'
        ? `  the revocation checks (CRL, OCSP) of ${revocationOf.join(', ') || 'no route'} go this way, as CryptoAPI fetches them through WinHTTP${route.carries === 'revocation' ? '; nothing else does' : ''}`
        : undefined;
    if (route.machineConfig || route.findings.length > 0 || route.authScheme || carriesLine) {
      out.push(heading);
      if (carriesLine) out.push(carriesLine);
      if (route.machineConfig) out.push(`  machine.config ${route.machineConfig.path}: ${route.machineConfig.proxyAddress ? `proxy ${route.machineConfig.proxyAddress}` : 'no proxy (the sync engine goes direct)'}`);
      for (const f of route.findings) out.push(`  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`, `    What to do: ${f.remedy}`);
      out.push('');
    }
  }
  const rows = report.results.map((r) => [
    r.endpoint,
    r.route,
    r.success ? 'OK' : r.required ? 'FAIL' : 'fail (optional)',
    (r.durationSeconds * 1000).toFixed(0),
    r.reason ?? '',
    r.remedy ? firstSentence(r.remedy) : '',
  ]);
  out.push(table(['ENDPOINT', 'ROUTE', 'RESULT', 'TOTAL MS', 'REASON', 'REMEDY'], rows));
  const failed = report.results.filter((r) => !r.success);
  if (failed.length > 0) {
    out.push('', 'What failed and what to do:');
    for (const r of failed) out.push(`- ${r.endpoint} via ${r.route} (${r.url}): ${r.detail ?? r.reason}`);
    const reasons = [...new Set(failed.map((r) => r.reason))];
    out.push('');
    for (const reason of reasons) {
      const remedy = failed.find((r) => r.reason === reason)?.remedy;
      out.push(`${reason}: ${remedy}`);
    }
  }
  if (report.revocation?.length) {
    out.push('', 'Certificate revocation (the CRL and OCSP URLs the served chains name, fetched as Windows does):');
    out.push(
      table(
        ['ENDPOINT', 'TYPE', 'ROUTE', 'RESULT', 'TOTAL MS', 'URL'],
        report.revocation.map((r) => [r.endpoint ?? '(no catalogue row)', r.type, r.route, r.success ? 'OK' : r.required ? 'FAIL' : 'fail (optional)', (r.durationSeconds * 1000).toFixed(0), r.url]),
      ),
    );
    for (const r of report.revocation.filter((x) => !x.success)) out.push(`- ${r.url} via ${r.route}: ${r.detail ?? r.reason}`, `  What to do: ${r.remedy ?? ''}`);
    const findings = [...new Map(report.revocation.flatMap((r) => r.findings ?? []).map((f) => [f.host, f])).values()];
    for (const f of findings) out.push(`  ${f.severity.toUpperCase()} ${f.code}: ${f.message}`, `    What to do: ${f.remedy}`, ...f.snippet.split('\n').map((l) => `      ${l}`));
  }
  if (report.situations.length > 0) {
    out.push('', 'Direct versus proxy:');
    for (const s of report.situations) out.push(`- ${s.endpoint}: ${s.message}`);
  }
  for (const i of report.idle ?? []) {
    out.push('', `Proxy idle timeout, route ${i.route}: ${i.verdict.toUpperCase()}${i.closeSeconds !== undefined ? ` (the proxy closed idle tunnels after ${i.closeSeconds.toFixed(1)} s)` : ''}; required ${i.requiredSeconds} s${i.minimumSeconds < i.requiredSeconds ? `, at least ${i.minimumSeconds} s not to fail` : ''}`);
    for (const h of i.holds) out.push(`  held ${h.holdSeconds} s: ${h.survived ? 'answered' : h.silentDrop ? 'silently dropped' : h.closedAfterSeconds !== undefined ? `closed after ${h.closedAfterSeconds.toFixed(1)} s` : 'failed'}`);
    if (i.verdict === 'warn') out.push(`  WARNING: the proxy keeps idle tunnels more than ${i.minimumSeconds} s (the troubleshooting article) but not ${i.requiredSeconds} s (the prerequisites).`);
    if (i.verdict !== 'pass') out.push(`  ${i.detail ?? ''}`, `  ${i.remedy ?? ''}`);
  }
  if (report.signIn) out.push(...signInText(report.signIn));
  const requiredFailed = failed.filter((r) => r.required).length;
  if (hostSkipped) out.push('', report.host!.skipped!);
  out.push('', `${report.results.length} probes, ${failed.length} failed (${requiredFailed} required).`);
  return `${out.join('\n')}\n`;
}
