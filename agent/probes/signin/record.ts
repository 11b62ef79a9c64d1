// How sign-in discovery becomes series: success, the realm (closed sets), tenant found, step durations, findings.
import type { AgentMetrics } from '../../export/metrics.js';
import { CLOUD_INSTANCES, NAMESPACE_TYPES, SIGNIN_FINDING_CODES, cloudInstanceLabel, namespaceLabel } from './facts.js';
import { SIGNIN_STEPS, type SignInResult } from './result.js';

export function recordSignIn(metrics: AgentMetrics, result: SignInResult): void {
  const labels = { route: result.route, domain: result.domain };
  const m = metrics.m;
  m.signInSuccess.set(labels, result.success ? 1 : 0);
  m.signInLast.set(labels, result.startedAt / 1000);
  for (const ns of [...NAMESPACE_TYPES, 'other']) {
    for (const ci of [...Object.values(CLOUD_INSTANCES), 'other']) m.signInRealm.remove({ ...labels, namespace_type: ns, cloud_instance: ci });
  }
  if (result.namespaceType) {
    m.signInRealm.set({ ...labels, namespace_type: namespaceLabel(result.namespaceType), cloud_instance: cloudInstanceLabel(result.cloudInstanceName) }, 1);
  }
  if (result.tenantFound === undefined) m.tenantFound.remove(labels);
  else m.tenantFound.set(labels, result.tenantFound ? 1 : 0);
  for (const step of SIGNIN_STEPS) {
    const last = [...result.steps].reverse().find((s) => s.step === step);
    if (last) m.signInStep.set({ ...labels, step }, last.durationSeconds);
    else m.signInStep.remove({ ...labels, step });
  }
  for (const code of SIGNIN_FINDING_CODES) m.signInFinding.set({ ...labels, code }, result.findings.some((f) => f.code === code) ? 1 : 0);
}
