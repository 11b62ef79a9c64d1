// The `logs` report: readable text (findings first, then the per-host table) or JSON.
import type { AnalysisResult } from './analyse.js';
import type { ProxyLogFindingCode } from './findings.js';
import type { LogFormat } from './record.js';

export interface FileSummary {
  file: string;
  format: LogFormat;
  lines: number;
  unparsed: number;
  truncatedGzip: boolean;
}

export interface LogsReport extends AnalysisResult {
  /** The format read, or the formats joined with "," when the files differ. */
  format: string;
  lines: number;
  unparsed: number;
  files: FileSummary[];
}

export function buildReport(files: FileSummary[], analysis: AnalysisResult): LogsReport {
  return {
    format: [...new Set(files.map((f) => f.format))].join(','),
    lines: files.reduce((sum, f) => sum + f.lines, 0),
    unparsed: files.reduce((sum, f) => sum + f.unparsed, 0),
    files,
    ...analysis,
  };
}

export function reportJson(report: LogsReport): string {
  const { format, lines, unparsed, ignored, hosts, findings, unrelated, hostsOverflow, files } = report;
  return `${JSON.stringify({ format, lines, unparsed, ignored, hosts, findings, unrelated, hostsOverflow, files }, null, 2)}\n`;
}

/** What a finding's count counts, where it is not log lines. */
const COUNTED: Partial<Record<ProxyLogFindingCode, string>> = { sequence: 'host(s)', idle_timeout_signature: 'tunnel(s)' };

export function reportText(report: LogsReport): string {
  const out: string[] = [];
  const entraRequests = report.hosts.reduce((sum, h) => sum + h.requests, 0) + report.hostsOverflow;
  const ignoredRequests = report.ignored.reduce((sum, h) => sum + h.requests, 0);
  out.push(
    `Proxy log analysis (${report.format}): ${report.lines} lines in ${report.files.length} file(s), ${report.unparsed} unparsed; ` +
      `${entraRequests} Microsoft Entra Connect requests, ${ignoredRequests} ignored, ${report.unrelated} unrelated.`,
  );
  for (const f of report.files.filter((f) => f.truncatedGzip)) out.push(`Note: ${f.file} is a truncated gzip stream; read up to the cut.`);
  out.push('', 'Findings');
  if (report.findings.length === 0) out.push('  none');
  for (const f of report.findings) {
    const when = f.firstSeen ? `, ${f.firstSeen}${f.lastSeen && f.lastSeen !== f.firstSeen ? ` .. ${f.lastSeen}` : ''}` : '';
    out.push(`  ${f.severity.toUpperCase()} ${f.code} ${f.host} (${f.count} ${COUNTED[f.code] ?? 'line(s)'}${when})`);
    out.push(`    ${f.message}`);
    out.push(`    Remedy: ${f.remedy}`);
    out.push(`    Example: ${f.example}`);
    if (f.snippet) out.push('    Add to the probes (catalogue entry):', ...f.snippet.split('\n').map((l) => `      ${l}`));
  }
  out.push('', 'Hosts');
  if (report.hosts.length === 0) out.push('  no Microsoft Entra Connect traffic in the log');
  else {
    out.push(
      ...table(
        ['host', 'requests', 'statuses', 'tunnels', 'median s', 'max s'],
        report.hosts.map((h) => [
          h.host + (h.regional ? ' (regional)' : ''),
          String(h.requests),
          Object.entries(h.statuses).map(([status, n]) => `${status}:${n}`).join(' '),
          String(h.tunnels.count),
          seconds(h.tunnels.medianSeconds) + (h.tunnels.medianExact ? '' : '~'),
          seconds(h.tunnels.maxSeconds),
        ]),
      ),
    );
  }
  if (report.hostsOverflow > 0) out.push(`  (${report.hostsOverflow} requests to further hosts not tabulated)`);
  if (report.ignored.length > 0) {
    out.push('', 'Ignored (the article says these can be ignored)');
    out.push(...table(['host', 'requests', 'why'], report.ignored.map((h) => [h.host, String(h.requests), h.reason])));
  }
  return `${out.join('\n')}\n`;
}

function seconds(value: number | null): string {
  return value === null ? '-' : value.toFixed(1);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
