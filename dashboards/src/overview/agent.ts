// The agent's own health: version and scrape, skipped runs, reloads, run duration, timing disturbance, process.
import type { Layout } from '../grafana/dashboard.js';
import { instant, okFailMappings, override, stat, target, timeseries } from '../grafana/panels.js';
import { M, UP } from '../metrics.js';
import { inst, instRoute } from '../selectors.js';

export function agentHealth(d: Layout): void {
  d.row('Agent health');
  d.line(
    4,
    [
      stat('Agent', `Version of the agent and of Node.js (${M.buildInfo}), and whether Prometheus scrapes it (up).`, [
        instant('A', `max by (version, node_version) (${M.buildInfo}{${inst}})`, 'v{{version}} · node {{node_version}}'),
        instant('B', `max(${UP}{${inst}})`, 'scrape'),
      ], { textMode: 'value_and_name', mappings: okFailMappings('up', 'down'), steps: [[null, 'red'], [1, 'green']] }),
      6,
    ],
    [
      stat('Skipped runs (1h)', `Scheduled runs skipped because the previous run still ran (${M.runsSkipped}).`, [
        instant('A', `sum(increase(${M.runsSkipped}{${inst}}[1h])) or vector(0)`),
      ], { steps: [[null, 'green'], [1, 'orange']], decimals: 0 }),
      4,
    ],
    [
      stat('Config reload', 'Result of the last configuration reload (SIGHUP or POST /-/reload), and when the configuration last loaded successfully.', [
        instant('A', `max(${M.reloadOk}{${inst}})`, 'last reload'),
        instant('B', `time() - max(${M.reloadTime}{${inst}})`, 'loaded ago'),
      ], { textMode: 'value_and_name', mappings: okFailMappings('ok', 'failed'), steps: [[null, 'red'], [1, 'green']] }),
      5,
    ],
    [
      stat('Last run duration', `How long the last complete probe run took (${M.runDuration}).`, [
        instant('A', `max(${M.runDuration}{${inst}})`),
      ], { unit: 's', colorMode: 'none' }),
      4,
    ],
    [
      stat('Timing-disturbed probes', `Probes whose timings were inflated by event-loop lag on the agent (${M.disturbed}); their latencies are not trustworthy.`, [
        instant('A', `count(${M.disturbed}{${instRoute}} == 1) or vector(0)`),
      ], { steps: [[null, 'green'], [1, 'orange']] }),
      5,
    ],
  );
  d.line(
    8,
    [
      timeseries('Runs', 'Completed and skipped probe runs per interval.', [
        target('A', `sum(increase(${M.runs}{${inst}, result="complete"}[$__rate_interval]))`, 'complete'),
        target('B', `sum(increase(${M.runsSkipped}{${inst}}[$__rate_interval]))`, 'skipped'),
        target('C', `time() - max(${M.runLast}{${inst}})`, 'seconds since last run'),
      ], { draw: 'bars', min: 0, overrides: [override('seconds since last run', { unit: 's', 'custom.drawStyle': 'line', 'custom.axisPlacement': 'right' })] }),
      12,
    ],
    [
      timeseries('Agent process', 'Resident memory, CPU and event-loop lag of the agent (prom-client default metrics).', [
        target('A', `${M.residentMemory}{${inst}}`, 'resident memory'),
        target('B', `rate(${M.processCpu}{${inst}}[$__rate_interval])`, 'CPU (cores)'),
        target('C', `${M.eventLoopLag}{${inst}}`, 'event-loop lag'),
      ], {
        unit: 'bytes',
        overrides: [
          override('CPU (cores)', { unit: 'none', 'custom.axisPlacement': 'right' }),
          override('event-loop lag', { unit: 's', 'custom.axisPlacement': 'right' }),
        ],
      }),
      12,
    ],
  );
}
