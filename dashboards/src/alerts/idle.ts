// The proxy idle timeout against the requirement: closed too early, or dropped without a close.
import { REMEDIES } from '../../../agent/probes/classify.js';
import { M } from '../metrics.js';
import { THRESHOLDS, prose } from '../thresholds.js';
import type { AlertRule } from './rule.js';

export const idleRules: AlertRule[] = [
  {
    alert: 'EntraConnectProxyIdleTimeoutTooShort',
    // The requirement is the agent's configured one (idle.requiredSeconds), exported beside the measurement.
    expr: `max by (job, instance, route) (${M.idleClose})\n< on (job, instance) group_left ()\n  max by (job, instance) (${M.idleRequired})`,
    forSeconds: THRESHOLDS.proxyIdleForSeconds,
    severity: 'warning',
    summary: 'Proxy on route {{ $labels.route }} closes idle tunnels after {{ $value | humanizeDuration }}',
    description:
      `The idle-tunnel probe from {{ $labels.instance }} saw the proxy on route {{ $labels.route }} close an idle connection after {{ $value | humanizeDuration }}; Microsoft Entra Connect needs more than ${prose(THRESHOLDS.idleRequiredSeconds)}.\n` +
      `Remedy: ${REMEDIES.idle_tunnel_closed}`,
  },
  {
    alert: 'EntraConnectProxyIdleSilentDrop',
    expr: `max by (job, instance, route) (${M.idleSilentDrop}) == 1`,
    forSeconds: THRESHOLDS.proxyIdleForSeconds,
    severity: 'warning',
    summary: 'Proxy on route {{ $labels.route }} silently drops idle tunnels',
    description:
      'The idle-tunnel probe from {{ $labels.instance }} held a tunnel through the proxy on route {{ $labels.route }} for the required time and the proxy then dropped it without closing it: the proxy idle timeout is below the requirement.\n' +
      `Remedy: ${REMEDIES.idle_tunnel_closed}`,
  },
];
