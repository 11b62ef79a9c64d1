// For endpoints probed both directly and through a proxy, what the pair of answers means: the article's
// "Unable to connect to the remote server" reading, a proxy that blocks what works directly, or neither.
import type { ProbeResult } from '../../probes/http/result.js';
import type { EndpointSituation } from '../../report/check-outcome.js';

const UNABLE_TO_CONNECT = new Set(['connect_failed', 'dns', 'timeout', 'connection_reset']);

/** For endpoints probed both directly and through a proxy, what the pair of answers means. */
export function compareDirectAndProxy(results: readonly ProbeResult[]): EndpointSituation[] {
  const byEndpoint = new Map<string, ProbeResult[]>();
  for (const r of results) byEndpoint.set(r.endpoint, [...(byEndpoint.get(r.endpoint) ?? []), r]);
  const situations: EndpointSituation[] = [];
  for (const [endpoint, rs] of byEndpoint) {
    const direct = rs.filter((r) => r.via === 'direct');
    const proxied = rs.filter((r) => r.via === 'proxy');
    if (direct.length === 0 || proxied.length === 0) continue;
    const directOk = direct.some((r) => r.success);
    const proxyOk = proxied.some((r) => r.success);
    const directFailure = direct.find((r) => !r.success);
    const proxyFailure = proxied.find((r) => !r.success);
    if (proxyOk && !directOk) {
      const unable = directFailure?.reason && UNABLE_TO_CONNECT.has(directFailure.reason);
      situations.push({
        endpoint,
        situation: 'proxy_only',
        message:
          'Works only through the proxy (normal behind a proxy).' +
          (unable
            ? ` The direct call fails (${directFailure!.reason}): if the wizard or PowerShell shows "Unable to connect to the remote server", it is calling directly without the proxy, or DNS isn't correctly configured; make sure that machine.config is correctly configured.`
            : ''),
      });
    } else if (directOk && !proxyOk) {
      situations.push({
        endpoint,
        situation: 'direct_only',
        message: `Works only directly: the proxy blocks it (${proxyFailure?.reason ?? 'failed'}${proxyFailure?.proxyStatus ? `, ${proxyFailure.proxyStatus}` : ''}). The sync engine uses the proxy, so open this URL on the proxy.`,
      });
    } else if (!directOk && !proxyOk) {
      situations.push({
        endpoint,
        situation: 'neither',
        message: `Works neither directly (${directFailure?.reason}) nor through the proxy (${proxyFailure?.reason}): check DNS and the proxy's own outbound path, or Microsoft's service status.`,
      });
    } else {
      situations.push({ endpoint, situation: 'both', message: 'Works both directly and through the proxy.' });
    }
  }
  return situations;
}
