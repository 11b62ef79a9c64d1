// What the HTTP face reads of the agent: a copy taken at request time, so that the status page and /status depend
// on data, not on the daemon that produced it.
import type { HistorySnapshot } from '../export/history.js';
import type { AnyResult } from '../probes/registry.js';

export interface StatusSnapshot {
  ready: boolean;
  /** The configuration file's name, without its path. */
  config: string;
  cloud: string;
  routes: Array<{ name: string; proxy: string | null; username: string | null }>;
  history: HistorySnapshot<AnyResult>;
}

/** The agent as the server sees it. */
export interface AgentHandle {
  readonly ready: boolean;
  readonly metrics: { render(openMetrics: boolean): Promise<string>; contentType(openMetrics: boolean): string };
  reload(): { ok: true } | { ok: false; error: string };
  snapshot(): StatusSnapshot;
}
