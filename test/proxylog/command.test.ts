// The `logs` command end to end on the hand-written fixtures: formats, gzip, stdin, bad input, output shapes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseJson, fixture, runLogs } from './run-logs.js';

const scratch = mkdtempSync(join(tmpdir(), 'proxylog-cmd-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function scratchFile(name: string, content: Buffer | string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('formats', () => {
  it('an access.log captured from squid 5.7 on loopback (the live test\'s traffic, ports rewritten to 443)', async () => {
    const { code, report } = await analyseJson([fixture('squid-5.7-loopback.txt')]);
    expect(report).toMatchObject({ format: 'squid', lines: 10, unparsed: 0, unrelated: 2 });
    expect(report.findings.map((f) => `${f.code} ${f.host}`)).toEqual([
      'idle_timeout_signature bba800-anchor.partner.microsoftonline.cn',
      'endpoint_denied adminwebservice.partner.microsoftonline.cn',
      'proxy_auth_required provisioningapi.partner.microsoftonline.cn',
      'sequence adminwebservice.partner.microsoftonline.cn',
      'regional_endpoint bba800-anchor.partner.microsoftonline.cn',
      'regional_endpoint bwsc02-relay.partner.microsoftonline.cn',
    ]);
    expect(report.findings[0]!.seconds).toBe(3);
    expect(code).toBe(1);
  });

  it('TMG W3C with the article\'s reference sequence: complete, regional hosts found, telemetry ignored, exit 0', async () => {
    const { code, report } = await analyseJson([fixture('tmg-reference.w3c.txt')]);
    expect(report).toMatchObject({ format: 'w3c', lines: 12, unparsed: 0 });
    expect(report.findings.map((f) => f.code).sort()).toEqual(['regional_endpoint', 'regional_endpoint', 'sequence']);
    expect(report.ignored).toMatchObject([{ host: 'dc.services.visualstudio.com', requests: 1 }]);
    expect(report.hosts.find((h) => h.host === 'login.partner.microsoftonline.cn')).toMatchObject({ requests: 2, statuses: { '200': 2 } });
    expect(code).toBe(0);
  });

  it('TMG error numbers 12202 and 12209 are the 403 and 407 of the article', async () => {
    const { code, report } = await analyseJson([fixture('tmg-denied.w3c.txt')]);
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.host])).toEqual([
      ['endpoint_denied', 'adminwebservice.partner.microsoftonline.cn'],
      ['proxy_auth_required', 'login.partner.microsoftonline.cn'],
    ]);
    expect(code).toBe(1);
  });

  it('ProxySG W3C: denied, handshake, proxy error and a 120 s idle cut', async () => {
    const { report } = await analyseJson([fixture('proxysg.w3c.txt')]);
    const byCode = Object.fromEntries(report.findings.map((f) => [f.code, f]));
    expect(byCode.endpoint_denied).toMatchObject({ host: 'adminwebservice.microsoftonline.com' });
    expect(byCode.proxy_error).toMatchObject({ host: 'crl3.digicert.com' });
    expect(byCode.idle_timeout_signature).toMatchObject({ count: 4, seconds: 120 });
    expect(byCode.proxy_auth_required).toBeUndefined();
    expect(byCode.regional_endpoint).toMatchObject({ host: 'aa12-anchor.microsoftonline.com', count: 3 });
    const anchor = report.hosts.find((h) => h.host === 'aa12-anchor.microsoftonline.com')!;
    expect(anchor.tunnels).toEqual({ count: 3, medianSeconds: 120.004, maxSeconds: 120.21, medianExact: true });
  });

  it('combined format (squid\'s, with the trailing action) and common format', async () => {
    const { report } = await analyseJson([fixture('combined.clf.txt')]);
    expect(report).toMatchObject({ format: 'clf', lines: 4, unparsed: 0, unrelated: 1 });
    expect(report.findings.find((f) => f.code === 'endpoint_denied')).toMatchObject({ host: 'adminwebservice.partner.microsoftonline.cn', firstSeen: '2016-01-11T00:31:03.000Z' });
  });

  it('--format forces a parser; lines that do not fit it are counted', async () => {
    const run = await runLogs([fixture('combined.clf.txt'), '--format', 'squid']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`logs: ${fixture('combined.clf.txt')}: no line fits a known proxy log format (tried squid)\n`);
  });
});

describe('input', () => {
  const squidText = readFileSync(fixture('squid-mixed.txt'));

  it('reads gzip files by their magic bytes, and several files into one report', async () => {
    const gz = scratchFile('access.log.1.gz', gzipSync(squidText));
    const plain = await analyseJson([fixture('squid-mixed.txt')]);
    const both = await analyseJson([gz, fixture('tmg-reference.w3c.txt')]);
    expect(both.report.format).toBe('squid,w3c');
    expect(both.report.lines).toBe(plain.report.lines + 12);
    expect(both.report.files.map((f) => f.format)).toEqual(['squid', 'w3c']);
  });

  it('reads stdin (-), compressed or not', async () => {
    const plain = await analyseJson(['-'], squidText);
    const compressed = await analyseJson(['-'], gzipSync(squidText));
    expect(compressed.report.findings).toEqual(plain.report.findings);
    expect(plain.report.files[0]!.file).toBe('stdin');
  });

  it('a truncated gzip stream: reads up to the cut and says so', async () => {
    const gz = gzipSync(Buffer.concat(Array.from({ length: 200 }, () => squidText)));
    const { report } = await analyseJson([scratchFile('cut.gz', gz.subarray(0, Math.floor(gz.length * 0.6)))]);
    expect(report.files[0]!.truncatedGzip).toBe(true);
    expect(report.lines).toBeGreaterThan(0);
  });

  it('a truncated last line is counted as unparsed, the rest is read', async () => {
    const { report } = await analyseJson([fixture('squid-truncated.txt')]);
    expect(report).toMatchObject({ format: 'squid', lines: 4, unparsed: 1 });
  });

  it('lines that fit no format are counted, never fatal', async () => {
    const { report } = await analyseJson([fixture('squid-mixed.txt')]);
    expect(report.unparsed).toBe(1);
  });

  it('a file where no line fits: exit 2, one line naming the formats tried', async () => {
    const run = await runLogs([fixture('garbage.txt')]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `logs: ${fixture('garbage.txt')}: no line fits a known proxy log format (tried squid, w3c, clf)\n` });
  });

  it('a header of garbage before the real lines is skipped', async () => {
    const noisy = Buffer.concat([Buffer.from('x\n'.repeat(80)), squidText]);
    const { report } = await analyseJson([scratchFile('noisy.log', noisy)]);
    expect(report).toMatchObject({ format: 'squid', unparsed: 81 });
  });

  it('an empty file is no error', async () => {
    const { code, report } = await analyseJson([scratchFile('empty.log', '')]);
    expect(code).toBe(0);
    expect(report.lines).toBe(0);
  });
});

describe('usage', () => {
  it.each([
    [[], /no log file given/],
    [['x.log', '--format', 'apache'], /--format must be one of auto, squid, w3c, clf/],
    [['x.log', '--required-idle', 'soon'], /--required-idle must be a positive number/],
    [['x.log', '--bogus'], /Unknown option '--bogus'/],
    [['-', '-'], /stdin \(-\) can be read only once/],
    [['/nonexistent/access.log'], /\/nonexistent\/access.log: cannot read \(ENOENT\)/],
    [[tmpdir()], /is a directory/],
  ])('%j: one line on stderr, exit 2', async (argv, message) => {
    const run = await runLogs(argv as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('bounded memory', () => {
  it('per-host state stops at 2000 hosts; the rest is counted, not tabulated', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) =>
      `${1_700_000_000 + i}.000    100 10.0.0.5 TCP_TUNNEL/200 100 CONNECT h${i}-anchor.partner.microsoftonline.cn:443 - HIER_DIRECT/1.2.3.4 -`,
    );
    const { report } = await analyseJson(['-'], lines.join('\n'));
    expect(report.hosts).toHaveLength(2000);
    expect(report.hostsOverflow).toBe(500);
  });
});

describe('output', () => {
  it('text: findings first, then the per-host table, then ignored hosts', async () => {
    const run = await runLogs([fixture('squid-mixed.txt')]);
    expect(run.code).toBe(1);
    const findings = run.stdout.indexOf('\nFindings\n');
    const hosts = run.stdout.indexOf('\nHosts\n');
    const ignored = run.stdout.indexOf('\nIgnored');
    expect(findings).toBeGreaterThan(0);
    expect(hosts).toBeGreaterThan(findings);
    expect(ignored).toBeGreaterThan(hosts);
    expect(run.stdout).toContain('ERROR endpoint_denied adminwebservice.partner.microsoftonline.cn');
    expect(run.stdout).toMatch(/bba800-anchor\.partner\.microsoftonline\.cn \(regional\)/);
  });

  it('json: the documented keys, findings in the shared shape', async () => {
    const { report } = await analyseJson([fixture('squid-mixed.txt')]);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['format', 'lines', 'unparsed', 'ignored', 'hosts', 'findings']));
    for (const f of report.findings) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['code', 'severity', 'host', 'count', 'firstSeen', 'lastSeen', 'example', 'message', 'remedy']));
    }
  });
});
