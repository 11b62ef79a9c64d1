// The metric contract the dashboards and alerts may read, as the tests see it: the agent's metrics and the
// prom-client defaults from agent/export/contract.ts (the one definition), plus Prometheus' own `up`.

import { DEFAULT_METRICS, METRICS, seriesNames, type MetricType } from '../../agent/export/contract.js';

export interface ContractMetric {
  name: string;
  type: MetricType;
  labels: readonly string[];
  source: 'agent' | 'prom-client default' | 'prometheus';
}

export const CONTRACT: readonly ContractMetric[] = [
  ...Object.values(METRICS).map((m): ContractMetric => ({ name: m.name, type: m.type, labels: m.labelNames, source: 'agent' })),
  ...Object.values(DEFAULT_METRICS).map((m): ContractMetric => ({ name: m.name, type: m.type, labels: m.labelNames, source: 'prom-client default' })),
  // Written by Prometheus for every scrape target.
  { name: 'up', type: 'gauge', labels: [], source: 'prometheus' },
];

/** Every series name the contract allows a query to use: histograms expand to _bucket, _sum and _count. */
export function contractSeriesNames(): Set<string> {
  return new Set(seriesNames(CONTRACT.map((m) => ({ name: m.name, type: m.type, help: '', labelNames: m.labels }))));
}
