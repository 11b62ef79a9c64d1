// The `check` report: a table a Windows admin can act on, or JSON for scripts.
import type { IdleResult, ProbeResult, SignInResult } from './result.js';
import { signInJson, signInPassed, signInText } from './signin-report.js';

export interface CheckReport {
  results: ProbeResult[];
  idle?: IdleResult[];
  signIn?: SignInResult[];
}

export function checkJson(report: CheckReport): unknown {
  return {
    results: report.results.map((r) => ({
      endpoint: r.endpoint,
      route: r.route,
      url: r.url,
      via: r.via,
      required: r.required,
      success: r.success,
      reason: r.reason ?? null,
      httpStatus: r.httpStatus ?? null,
      proxyStatus: r.proxyStatus ?? null,
      phases: r.phases,
      durationSeconds: r.durationSeconds,
      detail: r.detail ?? null,
      remedy: r.remedy ?? null,
      ...(r.proxyAuthSchemes ? { proxyAuthSchemes: r.proxyAuthSchemes } : {}),
      ...(r.tls ? { tls: r.tls } : {}),
      ...(r.timingDisturbed ? { timingDisturbed: true } : {}),
    })),
    ...(report.idle
      ? {
          idle: report.idle.map((i) => ({
            route: i.route,
            endpoint: i.endpoint,
            verdict: i.verdict,
            closeSeconds: i.closeSeconds ?? null,
            silentDrop: i.silentDrop,
            requiredSeconds: i.requiredSeconds,
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
  const rows = report.results.map((r) => [
    r.endpoint,
    r.route,
    r.success ? 'OK' : r.required ? 'FAIL' : 'fail (optional)',
    (r.durationSeconds * 1000).toFixed(0),
    r.reason ?? '',
    r.remedy ? firstSentence(r.remedy) : '',
  ]);
  const out = [table(['ENDPOINT', 'ROUTE', 'RESULT', 'TOTAL MS', 'REASON', 'REMEDY'], rows)];
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
  for (const i of report.idle ?? []) {
    out.push('', `Proxy idle timeout, route ${i.route}: ${i.verdict.toUpperCase()}${i.closeSeconds !== undefined ? ` (the proxy closed idle tunnels after ${i.closeSeconds.toFixed(1)} s)` : ''}; required ${i.requiredSeconds} s`);
    for (const h of i.holds) out.push(`  held ${h.holdSeconds} s: ${h.survived ? 'answered' : h.silentDrop ? 'silently dropped' : h.closedAfterSeconds !== undefined ? `closed after ${h.closedAfterSeconds.toFixed(1)} s` : 'failed'}`);
    if (i.verdict !== 'pass') out.push(`  ${i.detail ?? ''}`, `  ${i.remedy ?? ''}`);
  }
  if (report.signIn) out.push(...signInText(report.signIn));
  const requiredFailed = failed.filter((r) => r.required).length;
  out.push('', `${report.results.length} probes, ${failed.length} failed (${requiredFailed} required).`);
  return `${out.join('\n')}\n`;
}

export function checkPassed(report: CheckReport): boolean {
  return report.results.every((r) => r.success || !r.required) && (report.idle ?? []).every((i) => i.verdict !== 'fail') && signInPassed(report.signIn ?? []);
}
