// The series names the queries use, from the agent's metric contract (agent/export/contract.ts): a query names
// `${M.success}`, never a string of its own, so a metric renamed or removed there fails to compile here.
import { DEFAULT_METRICS, METRICS } from '../../agent/export/contract.js';

type Contract = typeof METRICS & typeof DEFAULT_METRICS;
type Names = { readonly [K in keyof Contract]: Contract[K]['name'] };

const all: Contract = { ...METRICS, ...DEFAULT_METRICS };

export const M = Object.fromEntries(Object.entries(all).map(([key, def]) => [key, def.name])) as Names;

/** Prometheus' own series for every scrape target. */
export const UP = 'up';
