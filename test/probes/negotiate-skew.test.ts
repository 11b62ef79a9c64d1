// Clock skew, for real: a KDC whose clock runs 10 minutes ahead (libfaketime), an account that needs
// pre-authentication (the KDC checks the client's timestamp, as Active Directory does), and squid in front.
// Its own file: a process holds one Kerberos configuration (KRB5_CONFIG).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../agent/config/config.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { probeHttp } from '../../agent/probes/http/probe.js';
import { startKdc, type Kdc } from '../lab/kdc.js';
import { startLab, type Lab } from '../lab/lab.js';

let kdc: Kdc;
let lab: Lab;
let svcKeytab: string;

beforeAll(async () => {
  kdc = await startKdc({ clockOffset: '+10m' });
  const proxyKeytab = join(kdc.dir, 'proxy.keytab');
  kdc.addPrincipal('HTTP/localhost', proxyKeytab);
  svcKeytab = join(kdc.dir, 'svc.keytab');
  kdc.addPrincipal('svc', svcKeytab, { preauth: true });
  process.env.KRB5_CONFIG = kdc.krb5Conf;
  process.env.KRB5CCNAME = 'MEMORY:negotiate-skew-test';
  lab = await startLab({ authSchemes: ['negotiate'], kerberos: { krb5Conf: kdc.krb5Conf, keytab: proxyKeytab, principal: `HTTP/localhost@${kdc.realm}` } });
});
afterAll(async () => {
  await lab?.stop();
  await kdc?.stop();
});

describe('Negotiate with clocks 10 minutes apart', () => {
  it('names clock skew (KRB_AP_ERR_SKEW) with the 5-minute rule in the remedy', async () => {
    const config = { tls: { caFile: lab.ca.certFile }, probes: { timeoutSeconds: 5 }, resolve: { localhost: '127.0.0.1' }, routes: [{ name: 'corp', proxy: `http://localhost:${lab.squid.authPort}`, credentials: { scheme: 'negotiate', keytab: svcKeytab } }] };
    const p = buildPlan(parseConfig(stringify(config), 'test.yaml', {}), {});
    const r = await probeHttp(p.targets.find((t) => t.endpoint.id === 'login')!, p.settings);
    expect(r).toMatchObject({ success: false, reason: 'proxy_auth_clock_skew', proxyStatus: 407, authScheme: 'Negotiate' });
    expect(r.detail).toContain('KRB5KRB_AP_ERR_SKEW');
    expect(r.remedy).toContain('5 minutes');
  });
});
