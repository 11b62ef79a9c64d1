// The sign-in series of AgentMetrics: closed label sets whatever the login service says, the last result only, and
// series of a domain no longer configured dropped on a new plan. No network. Every domain here is fake.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../agent/config/config.js';
import { AgentMetrics } from '../../../agent/export/metrics.js';
import { buildPlan } from '../../../agent/plan/plan.js';
import { recordSignIn } from '../../../agent/probes/signin/record.js';
import type { SignInResult } from '../../../agent/probes/signin/result.js';

function result(over: Partial<SignInResult>): SignInResult {
  return {
    kind: 'signin', target: 'fabrikam.cn', route: 'corp-proxy', domain: 'fabrikam.cn', cloud: 'china', loginHost: 'login.partner.microsoftonline.cn', startedAt: 1_700_000_000_000, durationSeconds: 0.3, success: true,
    namespaceType: 'Managed', cloudInstanceName: 'partner.microsoftonline.cn', tenantFound: true,
    steps: [
      { step: 'realm', url: 'https://login.partner.microsoftonline.cn/common/userrealm/', via: 'proxy', answered: true, durationSeconds: 0.2, phases: {} },
      { step: 'tenant', url: 'https://login.partner.microsoftonline.cn/fabrikam.cn/v2.0/.well-known/openid-configuration', via: 'proxy', answered: true, durationSeconds: 0.1, phases: {} },
    ],
    findings: [],
    ...over,
  };
}

const plan = (domain?: string) => buildPlan(parseConfig(`routes: [{name: corp-proxy, proxy: "http://127.0.0.1:3128"}]\n${domain ? `tenant: {domain: "${domain}"}\n` : ''}`, 't.yaml', {}), {});
const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));

describe('recordSignIn', () => {
  it('sets success, realm info, tenant found, step durations and findings', async () => {
    const m = new AgentMetrics();
    await m.applyPlan(plan('fabrikam.cn'));
    recordSignIn(m, result({}));
    const text = await m.render(false);
    const l = 'route="corp-proxy",domain="fabrikam.cn"';
    expect(text).toContain(`entra_connect_signin_discovery_success{${l}} 1`);
    expect(lines(text, 'entra_connect_signin_realm_info')).toEqual([`entra_connect_signin_realm_info{${l},namespace_type="Managed",cloud_instance="partner.microsoftonline.cn"} 1`]);
    expect(text).toContain(`entra_connect_tenant_found{${l}} 1`);
    expect(lines(text, 'entra_connect_signin_step_duration_seconds')).toEqual([`entra_connect_signin_step_duration_seconds{${l},step="realm"} 0.2`, `entra_connect_signin_step_duration_seconds{${l},step="tenant"} 0.1`]);
    expect(lines(text, 'entra_connect_signin_finding').every((x) => x.endsWith(' 0'))).toBe(true);
  });

  it('keeps remote text out of labels and replaces the previous result', async () => {
    const m = new AgentMetrics();
    await m.applyPlan(plan('fabrikam.cn'));
    recordSignIn(m, result({}));
    recordSignIn(m, result({ success: true, namespaceType: 'Weird"Type', cloudInstanceName: 'evil.example', tenantFound: undefined, steps: [], findings: [{ code: 'unexpected_response', severity: 'error', message: 'm', remedy: 'r' }] }));
    const text = await m.render(false);
    expect(lines(text, 'entra_connect_signin_realm_info')).toEqual(['entra_connect_signin_realm_info{route="corp-proxy",domain="fabrikam.cn",namespace_type="other",cloud_instance="other"} 1']);
    expect(lines(text, 'entra_connect_tenant_found')).toEqual([]);
    expect(lines(text, 'entra_connect_signin_step_duration_seconds')).toEqual([]);
    expect(text).toContain('entra_connect_signin_finding{route="corp-proxy",domain="fabrikam.cn",code="unexpected_response"} 1');
    expect(text).not.toContain('evil.example');
    expect(text).not.toContain('Weird');
  });

  it('drops the series of a domain that is no longer configured', async () => {
    const m = new AgentMetrics();
    await m.applyPlan(plan('admin@fabrikam.cn'));
    recordSignIn(m, result({}));
    await m.applyPlan(plan('admin@fabrikam.cn'));
    expect(await m.render(false)).toContain('domain="fabrikam.cn"');
    await m.applyPlan(plan('contoso.cn'));
    expect(await m.render(false)).not.toContain('domain="fabrikam.cn"');
    recordSignIn(m, result({ domain: 'contoso.cn' }));
    await m.applyPlan(plan());
    expect(await m.render(false)).not.toContain('domain="contoso.cn"');
  });
});
