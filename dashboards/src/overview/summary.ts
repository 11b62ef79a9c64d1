// The overview's top line: one number per thing that pages or needs a look.
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import type { Step } from '../grafana/types.js';
import { instant, stat } from '../grafana/panels.js';
import { inCategory, inst, instRoute } from '../selectors.js';
import { PROBES_STALE_SECONDS, THRESHOLDS } from '../thresholds.js';

const redFromOne: Step[] = [[null, 'green'], [1, 'red']];

export function summary(d: Layout): void {
  d.line(
    4,
    [
      stat('Checks down', 'Endpoint × route pairs whose last probe failed.', [
        instant('A', `count((${M.success}{${instRoute}} == 0) ${inCategory}) or vector(0)`),
      ], { steps: redFromOne }),
      4,
    ],
    [
      stat('Required endpoints down', `Required endpoints (${M.endpointInfo}{required="true"}) whose last probe failed on at least one route: the ones that page.`, [
        instant('A', `count(max by (endpoint) (${M.success}{${instRoute}} == 0) and on (endpoint) ${M.endpointInfo}{${inst}, category=~"$category", required="true"}) or vector(0)`),
      ], { steps: redFromOne }),
      4,
    ],
    [
      stat('Proxy 403 / 407 now', 'Endpoints whose last probe got 403 Forbidden or 407 Proxy Authentication Required from the proxy.', [
        instant('A', `count((${M.proxyStatus}{${instRoute}} == 403) ${inCategory}) or vector(0)`, '403 Forbidden'),
        instant('B', `count((${M.proxyStatus}{${instRoute}} == 407) ${inCategory}) or vector(0)`, '407 Auth required'),
      ], { steps: redFromOne, textMode: 'value_and_name' }),
      4,
    ],
    [
      stat('Routes with idle timeout too short', `Routes whose proxy closed an idle tunnel before ${M.idleRequired} (${THRESHOLDS.idleRequiredSeconds} s), or dropped it silently.`, [
        instant('A', `(count(max by (route) (${M.idleClose}{${instRoute}}) < on () group_left () max(${M.idleRequired}{${inst}})) or vector(0)) + (count(${M.idleSilentDrop}{${instRoute}} == 1) or vector(0))`),
      ], { steps: redFromOne }),
      4,
    ],
    [
      stat('machine.config problems', 'Findings in the machine.config proxy settings, summed over routes.', [
        instant('A', `sum(${M.machineConfigProblems}{${instRoute}}) or vector(0)`),
      ], { steps: [[null, 'green'], [1, 'orange']] }),
      4,
    ],
    [
      stat('Last run', 'Time since the agent last completed a probe run; red from the EntraConnectProbesStale threshold.', [
        instant('A', `time() - max(${M.runLast}{${inst}})`),
      ], { unit: 's', steps: [[null, 'green'], [THRESHOLDS.probesStale.longestIntervalSeconds, 'orange'], [PROBES_STALE_SECONDS, 'red']] }),
      4,
    ],
  );
}
