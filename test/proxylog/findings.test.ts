// Each finding: a log that raises it and one that must not.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { endpointSchema } from '../../agent/config/catalogue.js';
import { analyseJson } from './run-logs.js';
import type { ProxyLogFinding } from '../../agent/proxylog/findings.js';

const LOGIN = 'login.partner.microsoftonline.cn';
const ADMIN = 'adminwebservice.partner.microsoftonline.cn';
const PROVISIONING = 'provisioningapi.partner.microsoftonline.cn';
const ANCHOR = 'bba800-anchor.partner.microsoftonline.cn';
const RELAY = 'bwsc02-relay.partner.microsoftonline.cn';
const T0 = 1_700_000_000;

interface Line {
  at: number; // seconds after T0, when squid logged the line
  ms?: number; // elapsed
  client?: string;
  action?: string;
  status: number;
  method?: string;
  host: string;
}

function squidLog(lines: Line[]): string {
  return lines
    .map(({ at, ms = 1, client = '10.0.0.5', action, status, method = 'CONNECT', host }) => {
      const code = action ?? (status === 403 || status === 407 ? 'TCP_DENIED' : status === 200 ? 'TCP_TUNNEL' : 'TCP_MISS');
      const url = method === 'CONNECT' ? `${host}:443` : `http://${host}/`;
      return `${(T0 + at).toFixed(3)} ${String(ms).padStart(6)} ${client} ${code}/${status} 100 ${method} ${url} - HIER_NONE/- -`;
    })
    .join('\n');
}

async function findings(lines: Line[], extraArgs: string[] = []): Promise<{ code: number; findings: ProxyLogFinding[] }> {
  const { code, report } = await analyseJson(['-', ...extraArgs], squidLog(lines));
  return { code, findings: report.findings };
}

const codes = (fs: ProxyLogFinding[]) => fs.map((f) => f.code);

describe('endpoint_denied', () => {
  it('403 for a required endpoint', async () => {
    const { code, findings: fs } = await findings([{ at: 1, status: 403, host: ADMIN }, { at: 2, status: 403, host: ADMIN }]);
    const denied = fs.find((f) => f.code === 'endpoint_denied')!;
    expect(denied).toMatchObject({ host: ADMIN, count: 2, severity: 'error', firstSeen: new Date((T0 + 1) * 1000).toISOString() });
    expect(denied.remedy).toMatch(/the proxy hasn't been opened for the requested URL\. Revisit the proxy configuration/i);
    expect(code).toBe(1);
  });

  it('not for an unrelated host nor for the ignorable telemetry endpoint', async () => {
    const { code, findings: fs } = await findings([
      { at: 1, status: 403, host: 'www.example.org' },
      { at: 2, status: 403, host: 'dc.services.visualstudio.com' },
    ]);
    expect(fs).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('proxy_auth_required', () => {
  it('407 never followed by a success from the same client', async () => {
    const { findings: fs } = await findings([
      { at: 1, status: 407, host: LOGIN },
      { at: 1.5, ms: 200, client: '10.0.0.99', status: 200, host: LOGIN }, // another client's success answers nothing
      { at: 100, ms: 200, status: 200, host: LOGIN }, // too late to be the retry
    ]);
    expect(fs.filter((f) => f.code === 'proxy_auth_required')).toMatchObject([{ host: LOGIN, count: 1 }]);
  });

  it('not for the handshake: 407 then 200 (the tunnel logged when it ends, long after)', async () => {
    const { code, findings: fs } = await findings([
      { at: 1, status: 407, host: LOGIN },
      { at: 1.01, status: 407, host: LOGIN }, // NTLM's second leg
      { at: 601.02, ms: 600_000, status: 200, host: LOGIN }, // started at 1.02
    ]);
    expect(codes(fs)).not.toContain('proxy_auth_required');
    expect(code).toBe(0);
  });
});

describe('proxy_error', () => {
  it('5xx from the proxy for an Entra host', async () => {
    const { findings: fs } = await findings([{ at: 1, status: 503, host: ANCHOR, action: 'TCP_MISS' }]);
    expect(fs.find((f) => f.code === 'proxy_error')).toMatchObject({ host: ANCHOR, count: 1, severity: 'error' });
  });

  it('not for another host', async () => {
    const { findings: fs } = await findings([{ at: 1, status: 503, host: 'www.example.org' }]);
    expect(fs).toEqual([]);
  });
});

describe('idle_timeout_signature', () => {
  const cutAt = (seconds: number, hosts: string[]) =>
    hosts.map((host, i) => ({ at: 100 + i * 50, ms: Math.round(seconds * 1000) + i * 97, status: 200, host }));

  it('the longest tunnels all end at the same length below the requirement', async () => {
    const { code, findings: fs } = await findings([
      { at: 10, ms: 1200, status: 200, host: LOGIN },
      { at: 20, ms: 8000, status: 200, host: ADMIN },
      ...cutAt(120, [ANCHOR, ANCHOR, RELAY, LOGIN]),
    ]);
    const idle = fs.find((f) => f.code === 'idle_timeout_signature')!;
    expect(idle).toMatchObject({ severity: 'error', count: 4, seconds: 120.1 });
    expect(idle.remedy).toContain('Ensure that the proxy idle timeout is configured to be greater than 5 minutes');
    expect(code).toBe(1);
  });

  it('not for one short tunnel', async () => {
    const { findings: fs } = await findings([{ at: 10, ms: 30_000, status: 200, host: ANCHOR }]);
    expect(codes(fs)).not.toContain('idle_timeout_signature');
  });

  it('not when the tunnels have different lengths', async () => {
    const { findings: fs } = await findings([10, 25, 47, 80].map((s, i) => ({ at: 100 + i, ms: s * 1000, status: 200, host: ANCHOR })));
    expect(codes(fs)).not.toContain('idle_timeout_signature');
  });

  it('not when the common length meets the requirement (--required-idle decides)', async () => {
    const log = cutAt(120, [ANCHOR, ANCHOR, RELAY]);
    expect(codes((await findings(log, ['--required-idle', '100'])).findings)).not.toContain('idle_timeout_signature');
    expect(codes((await findings(log, ['--required-idle', '300'])).findings)).toContain('idle_timeout_signature');
  });
});

describe('regional_endpoint', () => {
  it('anchor and relay hosts the catalogue does not name, with a valid catalogue entry', async () => {
    const { code, findings: fs } = await findings([
      { at: 1, ms: 300, status: 200, host: ANCHOR },
      { at: 2, ms: 300, status: 200, host: RELAY },
    ]);
    const regional = fs.filter((f) => f.code === 'regional_endpoint');
    expect(regional.map((f) => f.host).sort()).toEqual([ANCHOR, RELAY]);
    expect(regional.every((f) => f.severity === 'info')).toBe(true);
    const [entry] = parseYaml(regional[0]!.snippet!) as unknown[];
    expect(endpointSchema.parse(entry)).toMatchObject({ pattern: '*.partner.microsoftonline.cn', category: 'directory' });
    expect(code).toBe(0);
  });

  it('not for hosts the catalogue already probes', async () => {
    const { findings: fs } = await findings([
      { at: 1, ms: 300, status: 200, host: ADMIN },
      { at: 2, ms: 300, status: 200, host: 'crl3.digicert.com', method: 'GET' },
    ]);
    expect(codes(fs)).not.toContain('regional_endpoint');
  });
});

describe('sequence', () => {
  const reference = [LOGIN, ADMIN, ANCHOR, LOGIN, PROVISIONING, RELAY];

  it('the article\'s reference order is reported complete', async () => {
    const { findings: fs } = await findings(reference.map((host, i) => ({ at: i + 1, ms: 100, status: 200, host })));
    const sequence = fs.find((f) => f.code === 'sequence')!;
    expect(sequence).toMatchObject({ severity: 'info', count: 5 });
    expect(sequence.message).toContain('Every step');
  });

  it('a step the proxy only denied is where it stops', async () => {
    const log = reference.map((host, i) => ({ at: i + 1, ms: 100, status: host === ADMIN ? 403 : 200, host }));
    const sequence = (await findings(log)).findings.find((f) => f.code === 'sequence')!;
    expect(sequence).toMatchObject({ severity: 'warning', host: ADMIN });
    expect(sequence.message).toContain(`stops after login (${LOGIN}): requests to ${ADMIN} never succeeded (403).`);
  });

  it('says where it stops when it stops early', async () => {
    const { findings: fs } = await findings(reference.slice(0, 3).map((host, i) => ({ at: i + 1, ms: 100, status: 200, host })));
    const sequence = fs.find((f) => f.code === 'sequence')!;
    expect(sequence).toMatchObject({ severity: 'warning', host: ANCHOR });
    expect(sequence.message).toContain(`stops after anchor (${ANCHOR}): no request to a provisioningapi host`);
  });

  it('orders hosts by when their requests started, not when squid logged them', async () => {
    const { findings: fs } = await findings([
      { at: 60, ms: 59_000, status: 200, host: LOGIN }, // started at 1
      { at: 2, ms: 100, status: 200, host: ADMIN },
    ]);
    expect(fs.find((f) => f.code === 'sequence')!.message).toContain(`${LOGIN} -> ${ADMIN}`);
  });

  it('no sequence without Entra directory hosts', async () => {
    const { findings: fs } = await findings([{ at: 1, status: 200, host: 'crl3.digicert.com', method: 'GET' }]);
    expect(fs).toEqual([]);
  });
});
