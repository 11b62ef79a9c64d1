// The status page (/) and its JSON twin (/status), from a snapshot of the history: escaped, never a secret.
import { publicResult } from '../probes/http/result.js';
import { hostJson } from '../report/host-report.js';
import { signInJson } from '../report/signin-report.js';
import { ofKind } from './page/view.js';
import type { StatusSnapshot } from './snapshot.js';


const iso = (unixMs: number) => new Date(unixMs).toISOString();

export function statusJson(snapshot: StatusSnapshot) {
  const { latest, recent, failures, streaks } = snapshot.history;
  return {
    ready: snapshot.ready,
    config: snapshot.config,
    cloud: snapshot.cloud,
    routes: snapshot.routes.map((r) => ({ ...r, idle: r.idle && { ...r.idle, startedAt: iso(r.idle.startedAt) } })),
    ...(snapshot.host ? { host: hostJson(snapshot.host) } : {}),
    endpoints: snapshot.endpoints,
    results: ofKind(latest, 'http').map(publicResult),
    idle: ofKind(latest, 'idle'),
    signIn: signInJson(ofKind(latest, 'signin')),
    // The last probes in the order they ended, newest first (a bounded ring, like blackbox_exporter's history).
    recent: ofKind(recent, 'http').slice(0, 50).map(publicResult),
    // Failures kept after they left the ring, newest first.
    failures: ofKind(failures, 'http').map(publicResult),
    // What fails now: since when, over how many runs in a row.
    failing: streaks.map((s) => ({ ...s, since: iso(s.since) })),
    ...(snapshot.findings ? { findings: snapshot.findings } : {}),
  };
}
