// The Entra Connect server itself, first in the article's order: its Windows version, sync version, .NET and TLS 1.2
// settings, and WinHTTP against machine.config, read from the registry before any probe.
import { hostCheck } from '../../host/check.js';
import type { Check } from './check.js';

export const hostFactsCheck: Check = {
  name: 'host',
  title: 'Entra Connect server',
  async run(ctx) {
    const host = await hostCheck(ctx.plan, ctx.options.host);
    ctx.outcome.host = host;
    const check = 'host';
    if (host.skipped && host.findings.length === 0) return { check, ok: true, summary: host.skipped };
    const ok = host.findings.every((f) => f.severity !== 'error');
    const summary = host.findings.length === 0 ? `${host.source}: no problems` : `${host.source ?? 'winhttp route'}: ${host.findings.map((f) => `${f.severity} ${f.code}`).join(', ')}`;
    return { check, ok, summary };
  },
};
