// A reload while a long idle cycle is in flight: the cycle started on the old plan, so what it measured for a route
// the new plan no longer has must not come back as series, status rows or log lines.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { httpGet, listenPort, startAgent, type AgentProcess } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';
import { waitFor } from '../lab/squid.js';

let lab: Lab;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  lab = await startLab({ readTimeoutSeconds: 30 });
});
afterAll(async () => {
  await agent?.stop();
  await lab?.stop();
});

describe('reload during an idle cycle', () => {
  it('drops the cycle\'s results for a removed route: no series, no status row, no log line', async () => {
    const proxy = `http://127.0.0.1:${lab.squid.port}`;
    const config = (routes: string[]) => ({
      listen: '127.0.0.1:0',
      tls: { caFile: lab.ca.certFile },
      routes: routes.map((name) => ({ name, proxy })),
      catalogue: { exclude: ['appinsights'] },
      probes: { schedule: '* * * * * *', timeoutSeconds: 2 },
      idle: { holdSeconds: [1, 4], requiredSeconds: 3, schedule: '* * * * * *' },
      log: { level: 'debug' },
    });
    const file = lab.writeConfig(config(['corp', 'gone']), 'reload-idle.yaml');
    agent = startAgent(['--config', file]);
    const base = `http://127.0.0.1:${await listenPort(agent)}`;
    const a = agent;
    await waitFor(() => a.logs().some((l) => l.msg === 'probe run started' && l.kind === 'idle'), 10_000, 'an idle cycle to start');
    // The cycle holds a tunnel 4 s: it is still in flight when the reload lands.
    expect(a.logs().some((l) => String(l.msg).startsWith('idle tunnel check'))).toBe(false);

    writeFileSync(file, stringify(config(['corp'])));
    const n = a.logs().length;
    expect((await httpGet(`${base}/-/reload`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => a.logs().slice(n).some((l) => l.msg === 'idle tunnel check passed' && l.route === 'corp'), 20_000, 'a cycle on the new plan');

    const metrics = (await httpGet(`${base}/metrics`)).body;
    expect(metrics).not.toContain('route="gone"');
    expect(metrics).toContain('entra_connect_proxy_idle_survived{route="corp",hold_seconds="4"} 1');
    const status = JSON.parse((await httpGet(`${base}/status`)).body) as { idle: Array<{ route: string }>; results: Array<{ route: string }> };
    expect(status.idle.map((i) => i.route)).toEqual(['corp']);
    expect(status.results.some((r) => r.route === 'gone')).toBe(false);
    expect(a.logs().some((l) => String(l.msg).startsWith('idle tunnel check') && l.route === 'gone')).toBe(false);
  });
});
