// The committed dashboards, alert rules and promtool tests are exactly what dashboards/src generates, and the
// generated artefacts use the thresholds of dashboards/src/thresholds.ts and the agent's own defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { REMEDIES } from '../../agent/probes/classify.js';
import { generate } from '../../dashboards/src/build.js';
import { PROBES_STALE_SECONDS, THRESHOLDS, duration } from '../../dashboards/src/thresholds.js';
import { ALERTS_TEST_FILE, ROOT, allPanels, loadAlertRules, loadDashboards, type Json } from './dashboard-files.js';

const generated = generate();
const rules = new Map(loadAlertRules().map((r) => [r.alert, r]));

describe('generated monitoring artefacts', () => {
  it('generates the two dashboards, the alert rules and their promtool tests', () => {
    expect([...generated.keys()].sort()).toEqual([
      'dashboards/alerts.test.yaml',
      'dashboards/alerts.yaml',
      'dashboards/entra-connect-endpoint.json',
      'dashboards/entra-connect-overview.json',
    ]);
  });

  it.each([...generated.keys()])('%s on disk is what the generator writes (edit dashboards/src, run npm run build:dashboards)', (file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(generated.get(file));
  });

  it('is deterministic: two generations are identical', () => {
    expect(new Map(generate())).toEqual(generated);
  });
});

describe('thresholds named once', () => {
  it("the idle requirement is the agent's configuration default", () => {
    const config = parseConfig('routes: [{name: corp, proxy: "http://127.0.0.1:3128"}]\n', 'agent.yaml', {});
    expect(config.idle.requiredSeconds).toBe(THRESHOLDS.idleRequiredSeconds);
  });

  it('each alert waits the `for` of thresholds.ts', () => {
    const T = THRESHOLDS;
    const expectedFor: Record<string, number> = {
      EntraConnectEndpointDown: T.endpointDownForSeconds,
      EntraConnectOptionalEndpointDown: T.optionalEndpointDownForSeconds,
      EntraConnectEndpointIntermittentFailures: T.intermittent.forSeconds,
      EntraConnectProxyDenied: T.proxyAnswerForSeconds,
      EntraConnectProxyAuthenticationRequired: T.proxyAnswerForSeconds,
      EntraConnectProxyIdleTimeoutTooShort: T.proxyIdleForSeconds,
      EntraConnectProxyIdleSilentDrop: T.proxyIdleForSeconds,
      EntraConnectAgentDown: T.agentDownForSeconds,
      EntraConnectMachineConfigProblems: T.machineConfigProblemsForSeconds,
      EntraConnectConfigReloadFailed: T.configReloadFailedForSeconds,
      EntraConnectSignInRealmDiscoveryFailed: T.signInFailingForSeconds,
    };
    for (const [alert, seconds] of Object.entries(expectedFor)) expect(rules.get(alert)?.for, alert).toBe(duration(seconds));
    expect(rules.get('EntraConnectProbesStale')?.expr).toContain(`> ${PROBES_STALE_SECONDS}`);
    expect(rules.get('EntraConnectAgentDown')?.expr).toContain(`job="${T.agentJob}"`);
  });

  it('the intermittent alert and both dashboards use the same ratio and window', () => {
    const I = THRESHOLDS.intermittent;
    const expr = rules.get('EntraConnectEndpointIntermittentFailures')!.expr;
    expect(expr).toContain(`> ${I.failureRatio}\n`);
    expect(expr).toContain(`[${duration(I.windowSeconds)}])) >= ${I.minFailures}`);
    expect(expr).toContain(`changes(entra_connect_probe_success[${duration(I.windowSeconds)}])) >= ${I.minChanges}`);
    expect(expr).toContain(`max_over_time(entra_connect_probe_success[${duration(I.recentSuccessSeconds)}])) == 1`);
    const ratioPanels = loadDashboards().flatMap((d) => allPanels(d.json).filter((p: Json) => /^Failure ratio/.test(p.title)));
    expect(ratioPanels).toHaveLength(2);
    for (const p of ratioPanels) {
      expect(p.fieldConfig.defaults.thresholds.steps[1].value).toBe(I.failureRatio);
      expect(p.targets[0].expr).toContain(`[${duration(I.windowSeconds)}]`);
    }
  });

  it('the last-run stat turns red where EntraConnectProbesStale fires', () => {
    const overview = loadDashboards().find((d) => d.json.uid === 'entra-connect-overview')!;
    const lastRun = allPanels(overview.json).find((p: Json) => p.title === 'Last run');
    expect(lastRun.fieldConfig.defaults.thresholds.steps.at(-1)).toEqual({ value: PROBES_STALE_SECONDS, color: 'red' });
  });

  it('the promtool tests probe each `for` at its edge: quiet a minute before, firing at it', () => {
    const doc = readFileSync(ALERTS_TEST_FILE, 'utf8');
    const down = /eval_time: (\d+)m\n\s+alertname: EntraConnectEndpointDown\n\s+exp_alerts: \[\]\n\s+- eval_time: (\d+)m\n\s+alertname: EntraConnectEndpointDown\n\s+exp_alerts:\n/.exec(doc);
    expect(down, 'EndpointDown edge cases').not.toBeNull();
    // The series go down at minute 2.
    expect(Number(down![2])).toBe(2 + THRESHOLDS.endpointDownForSeconds / 60);
    expect(Number(down![1])).toBe(Number(down![2]) - 1);
  });
});

describe('remedies from the agent', () => {
  it('the proxy and idle alerts carry the remedy text of agent/probes/classify.ts', () => {
    expect(rules.get('EntraConnectProxyDenied')!.annotations.description).toContain(`Remedy: ${REMEDIES.proxy_denied}`);
    expect(rules.get('EntraConnectProxyAuthenticationRequired')!.annotations.description).toContain(`Remedy: ${REMEDIES.proxy_auth_required}`);
    for (const alert of ['EntraConnectProxyIdleTimeoutTooShort', 'EntraConnectProxyIdleSilentDrop', 'EntraConnectEndpointIntermittentFailures']) {
      expect(rules.get(alert)!.annotations.description, alert).toContain(REMEDIES.idle_tunnel_closed);
    }
  });
});
