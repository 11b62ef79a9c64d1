// The cost of proxy authentication per scheme: 20 http probes (CONNECT + TLS to the lab's login endpoint) through a
// real squid on loopback for each scheme, the median of their proxy_auth phase, the legs the agent answered, and the
// round trips squid logged per probe. Negotiate runs against a real MIT KDC; NTLM against squid's ntlm_fake_auth.
//   npm run bench:auth
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../agent/config/config.js';
import { buildPlan } from '../agent/plan/plan.js';
import { probeHttp } from '../agent/probes/http/probe.js';
import { startKdc, type Kdc } from '../test/lab/kdc.js';
import { startLab, type Lab } from '../test/lab/lab.js';
import { startSquid, type Squid } from '../test/lab/squid.js';

const PROBES = 20;
const PASSWORD = 'Bench-Passw0rd';
let kdc: Kdc;
let lab: Lab;
const squids: Squid[] = [];

beforeAll(async () => {
  kdc = await startKdc();
  kdc.addPrincipal('HTTP/localhost', join(kdc.dir, 'proxy.keytab'));
  kdc.addPrincipal('svc', join(kdc.dir, 'svc.keytab'));
  writeFileSync(join(kdc.dir, 'pw'), PASSWORD);
  process.env.KRB5_CONFIG = kdc.krb5Conf;
  lab = await startLab({ authSchemes: ['negotiate'], kerberos: { krb5Conf: kdc.krb5Conf, keytab: join(kdc.dir, 'proxy.keytab'), principal: `HTTP/localhost@${kdc.realm}` } });
});
afterAll(async () => {
  await Promise.all(squids.map((s) => s.stop()));
  await lab?.stop();
  await kdc?.stop();
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('proxy_auth per scheme', async () => {
  const squidFor = async (authSchemes: Array<'ntlm' | 'basic'>) => {
    const s = await startSquid({ hosts: lab.hosts, authSchemes, users: { 'FABRIKAM\\svc': PASSWORD } });
    squids.push(s);
    return s;
  };
  const ntlm = await squidFor(['ntlm']);
  const basic = await squidFor(['basic']);
  const cases = [
    { name: 'Negotiate (Kerberos, keytab)', squid: lab.squid, credentials: { scheme: 'negotiate', keytab: join(kdc.dir, 'svc.keytab') } },
    { name: 'NTLM (NTLMv2)', squid: ntlm, credentials: { scheme: 'ntlm', username: 'FABRIKAM\\svc', passwordFile: join(kdc.dir, 'pw') } },
    { name: 'Basic (auto: after the 407)', squid: basic, credentials: { username: 'FABRIKAM\\svc', passwordFile: join(kdc.dir, 'pw') } },
    { name: 'Basic (scheme basic: up front)', squid: basic, credentials: { scheme: 'basic', username: 'FABRIKAM\\svc', passwordFile: join(kdc.dir, 'pw') } },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    process.env.KRB5CCNAME = `MEMORY:bench-${c.name.length}`;
    const config = { tls: { caFile: lab.ca.certFile }, resolve: { localhost: '127.0.0.1' }, routes: [{ name: 'corp', proxy: `http://localhost:${c.squid.authPort}`, credentials: c.credentials }] };
    const plan = buildPlan(parseConfig(stringify(config), 'bench.yaml', {}), {});
    const target = plan.targets.find((t) => t.endpoint.id === 'login')!;
    const before = readFileSync(c.squid.accessLog, 'utf8').split('\n').filter(Boolean).length;
    const auth: number[] = [];
    const total: number[] = [];
    let legs = 0;
    for (let i = 0; i < PROBES; i++) {
      const r = await probeHttp(target, plan.settings);
      expect(r.success, r.detail).toBe(true);
      auth.push((r.phases.proxy_auth ?? 0) * 1000);
      total.push(r.durationSeconds * 1000);
      legs = r.authLegs ?? 0;
    }
    // squid logs one line per request it answered (each 407 and the final CONNECT); its log is written as it goes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const lines = readFileSync(c.squid.accessLog, 'utf8').split('\n').filter(Boolean).length - before;
    rows.push(`| ${c.name} | ${median(auth).toFixed(2)} ms | first probe ${auth[0]!.toFixed(2)} ms | ${legs} | ${(lines / PROBES).toFixed(1)} | ${median(total).toFixed(2)} ms |`);
  }
  console.log(['| scheme | proxy_auth, median of 20 | | legs answered | round trips to the proxy (squid access.log lines per probe) | probe total, median |', '|---|---|---|---|---|---|', ...rows].join('\n'));
});
