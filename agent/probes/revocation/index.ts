// The revocation kind: the CRL and OCSP URLs of the chains the http probes were served, fetched as Windows fetches
// them, on probes.schedule. Its targets come from the http kind's latest results, so a first run waits for the
// http kind's first run to have been served a chain.
import type { Probe } from '../probe.js';
import { probeRevocation } from './probe.js';
import { recordRevocation, recordRevocationRun } from './record.js';
import type { RevocationResult } from './result.js';
import { revocationTargets, type RevocationTarget } from './targets.js';

/** Revocation hosts are few and a run's fetches small: a few at a time is enough and spares the proxy. */
const REVOCATION_CONCURRENCY = 4;

export const revocationProbe: Probe<RevocationTarget, RevocationResult> = {
  kind: 'revocation',
  schedule: (plan) => plan.config.probes.schedule,
  targets: revocationTargets,
  concurrency: (plan) => Math.min(REVOCATION_CONCURRENCY, plan.config.probes.concurrency),
  run: (target, ctx) => probeRevocation(target, ctx.plan.settings, ctx.signal),
  // A URL is kept while its row is (one no row covers, while its route is); the next run reads the chains again.
  stillCurrent: (result, plan) => result.endpoint === null || plan.endpoints.some((e) => e.id === result.endpoint),
  record: recordRevocation,
  log(logger, result) {
    const fields = { endpoint: result.endpoint, route: result.route, type: result.type, url: result.url, via: result.via, durationSeconds: result.durationSeconds };
    if (result.findings?.length) for (const f of result.findings) logger.warn({ ...fields, source: 'revocation', code: f.code, remedy: f.remedy }, f.message);
    if (result.success) logger.debug({ ...fields, httpStatus: result.httpStatus, crl: result.crl, ocsp: result.ocsp }, 'revocation fetch succeeded');
    else logger.warn({ ...fields, reason: result.reason, detail: result.detail, remedy: result.remedy, httpStatus: result.httpStatus, proxyStatus: result.proxyStatus }, 'revocation fetch failed');
  },
  runComplete(metrics, logger, results, durationSeconds) {
    recordRevocationRun(metrics, results);
    if (results.length > 0) logger.info({ fetches: results.length, failed: results.filter((r) => !r.success).length, uncovered: results.filter((r) => r.endpoint === null).length, durationSeconds }, 'revocation run complete');
  },
};
