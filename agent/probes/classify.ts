// Failure reasons: a closed set used as label values, each with the remedy Microsoft's troubleshooting
// article gives. Classification looks at error codes and the phase reached, never at message text.
import { NetError, sanitizeRemoteText } from '../net/net-error.js';
import { parseProxyAuthenticate } from '../net/proxy-connect.js';
import { isUntrustedCertificateCode } from '../net/types.js';
import type { Finding } from '../finding.js';

export const FAILURE_REASONS = [
  'dns',
  'proxy_unreachable',
  'proxy_denied',
  'proxy_auth_required',
  'proxy_auth_no_credentials',
  'proxy_auth_spn_unknown',
  'proxy_auth_clock_skew',
  'proxy_auth_ntlm_refused',
  'proxy_auth_refused',
  'proxy_error',
  'connect_failed',
  'tls_untrusted',
  'tls_handshake',
  'timeout',
  'connection_reset',
  'http_status',
  'unexpected_body',
  'idle_tunnel_closed',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

const MACHINE_CONFIG = 'Make sure that the machine.config file is correctly configured';

export const REMEDIES: Record<FailureReason, string> = {
  dns:
    'The name does not resolve. DNS isn\'t correctly configured on this server, or the call is made directly instead of through the proxy. ' +
    `${MACHINE_CONFIG} and that the server's DNS resolves Microsoft names.`,
  proxy_unreachable:
    "The proxy can't be reached (the wizard's \"installation wizard hasn't been correctly configured\"). " +
    `Check the proxy address and port in machine.config (<defaultProxy><proxy proxyaddress=...>), that the proxy is running, and that a firewall lets this server reach it.`,
  proxy_denied:
    '403 Forbidden: the proxy hasn\'t been opened for the requested URL. Revisit the proxy configuration and make sure that the URLs have been opened.',
  proxy_auth_required:
    "407 Proxy Authentication Required: the proxy server required a sign-in and none was provided. If your proxy server requires authentication, make sure that you configured this setting in machine.config. Also make sure that you're using domain accounts for the user running the wizard and for the service account.",
  proxy_auth_no_credentials:
    'The proxy asks for Windows integrated authentication (Negotiate/Kerberos) and this server has no Kerberos credentials for it: no ticket, an expired ticket, or a keytab that cannot be read. The sync engine signs in to the proxy as its domain service account; give the agent that account\'s keytab (credentials.keytab, credentials.principal) or run it with a valid ticket cache (KRB5CCNAME), and check that the keytab is readable by the agent\'s user.',
  proxy_auth_spn_unknown:
    'The KDC does not know the proxy\'s service principal, so no Kerberos ticket can be issued for it. Register HTTP/<proxy FQDN> on the proxy\'s service account (setspn -S HTTP/proxy.fabrikam.com FABRIKAM\\proxysvc), and use the proxy\'s FQDN in machine.config rather than an IP address or a CNAME (or set credentials.spn).',
  proxy_auth_clock_skew:
    'Kerberos refused the sign-in because the clocks differ too much (KRB_AP_ERR_SKEW): Kerberos allows 5 minutes between this server, the KDC and the proxy. Synchronise this server\'s clock with the domain (w32tm /resync on Windows, chrony or systemd-timesyncd on Linux).',
  proxy_auth_ntlm_refused:
    'The proxy offers NTLM only and this route does not use NTLM: Microsoft\'s hardening guidance for the Microsoft Entra Connect server asks to deny NTLM. Enable Kerberos (Negotiate) on the proxy with an SPN for it, or, if NTLM must stay for now, give the route scheme ntlm with a domain account.',
  proxy_auth_refused:
    'The proxy (or the KDC) refused the credentials presented: a wrong or locked account, a password or key that changed (an old keytab), or an account the proxy does not allow. Check the service account the sync engine uses against the proxy\'s rules and its authentication log.',
  proxy_error:
    'The proxy answered with an error instead of forwarding the request. Read the proxy\'s error in the detail, and check the proxy\'s own connectivity (its DNS and outbound path) to this endpoint.',
  connect_failed:
    `Unable to connect to the remote server: the call is made directly without using the proxy, or DNS isn't correctly configured. ${MACHINE_CONFIG}.`,
  tls_untrusted:
    'The certificate presented is not trusted. A proxy that intercepts TLS (inspection) must be told to pass Microsoft Entra endpoints through untouched, or its root must be trusted by this server; otherwise check the system clock and the certificate chain.',
  tls_handshake:
    'The TLS handshake failed. A proxy or firewall may be intercepting or blocking TLS to this endpoint; make sure TLS 1.2 is enabled on this server and the proxy passes the connection through untouched.',
  timeout:
    'No answer within the probe timeout. The proxy or the network path is slow or silently dropping the connection; check the proxy for this URL.',
  connection_reset:
    'The connection was reset or closed early. A proxy, firewall or TLS inspection device cut the connection; check its logs for this URL.',
  http_status:
    'The endpoint answered with an unexpected HTTP status. Check the status against the endpoint\'s expected answers; a block page from a filtering device also shows this way.',
  unexpected_body:
    'The answer was not valid HTTP from the endpoint. A filtering device or a misbehaving proxy may be answering in its place.',
  idle_tunnel_closed:
    'The proxy closes idle connections before Microsoft Entra ID answers. Microsoft Entra ID can take up to 5 minutes to process an export request; configure the proxy idle timeout above 5 minutes, otherwise you get intermittent connectivity issues (export failures).',
};

/** A proxy that authenticated the agent with NTLM and offered nothing stronger: it works, and it should not. */
export function ntlmOnlyFinding(offered: readonly string[] | undefined, used: string | undefined, proxy: string): Finding | undefined {
  if (used !== 'NTLM' || !offered || offered.includes('Negotiate')) return undefined;
  return {
    code: 'proxy_ntlm_only',
    severity: 'warning',
    message: `The proxy ${proxy} offers ${offered.join(', ')} and no Negotiate (Kerberos): the agent signed in with NTLM, as the sync engine would fall back to.`,
    remedy: REMEDIES.proxy_auth_ntlm_refused,
  };
}

export function remedyFor(reason: FailureReason): string {
  return REMEDIES[reason];
}

export interface FailureContext {
  via: 'proxy' | 'direct';
  /** The phase in progress when the failure happened. */
  phase: string | undefined;
  code: string;
  timedOut: boolean;
  proxyStatus?: number;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECLOSED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_CLOSED']);

// Proxy authentication failures by their stable code (GSS status names, MIT Kerberos error names, ours).
const AUTH_REASONS: Record<string, FailureReason> = {
  GSS_S_NO_CRED: 'proxy_auth_no_credentials',
  GSS_S_CREDENTIALS_EXPIRED: 'proxy_auth_no_credentials',
  KRB5KRB_AP_ERR_TKT_EXPIRED: 'proxy_auth_no_credentials',
  KEYTAB_UNREADABLE: 'proxy_auth_no_credentials',
  KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN: 'proxy_auth_spn_unknown',
  KRB5KRB_AP_ERR_SKEW: 'proxy_auth_clock_skew',
  NTLM_REFUSED: 'proxy_auth_ntlm_refused',
  PROXY_REFUSED: 'proxy_auth_refused',
  KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN: 'proxy_auth_refused',
  KRB5KDC_ERR_PREAUTH_FAILED: 'proxy_auth_refused',
};

/** One reason per failure, from the phase reached, the route kind and the error's stable code. */
export function classifyFailure(ctx: FailureContext): FailureReason {
  if (ctx.timedOut) return 'timeout';
  if (ctx.phase === 'proxy_auth') return AUTH_REASONS[ctx.code] ?? (RESET_CODES.has(ctx.code) ? 'connection_reset' : 'proxy_auth_required');
  if (ctx.proxyStatus === 403) return 'proxy_denied';
  if (ctx.proxyStatus === 407) return 'proxy_auth_required';
  if (ctx.proxyStatus !== undefined) return 'proxy_error';
  switch (ctx.phase) {
    case 'dns':
      return ctx.via === 'proxy' ? 'proxy_unreachable' : 'dns';
    case 'connect':
      // Accepted, then reset before we saw the connection open: the peer is there and cut it.
      if (ctx.code === 'ECONNRESET' && ctx.via === 'direct') return 'connection_reset';
      return ctx.via === 'proxy' ? 'proxy_unreachable' : 'connect_failed';
    case 'proxy_connect':
      return RESET_CODES.has(ctx.code) ? 'connection_reset' : 'proxy_error';
    case 'tls':
      // A reset or a close mid-handshake is the connection being cut; a TLS alert or a protocol error is the handshake failing.
      if (RESET_CODES.has(ctx.code)) return 'connection_reset';
      return isUntrustedCertificateCode(ctx.code) ? 'tls_untrusted' : 'tls_handshake';
    default:
      if (RESET_CODES.has(ctx.code)) return 'connection_reset';
      return 'unexpected_body';
  }
}

export interface FailureDescription {
  reason: FailureReason;
  detail: string;
  /** The proxy's status when the failure was its answer (403, 407, 5xx to CONNECT). */
  proxyStatus?: number;
  /** With a 407: the schemes the proxy offered. */
  proxyAuthSchemes?: string[];
  /** The scheme the agent answered with, when it tried one. */
  authScheme?: string;
}

/** Names a failed exchange: one reason from the phase reached, the route kind and the error's stable code. */
export function describeFailure(err: unknown, via: 'proxy' | 'direct', phase: string | undefined, timedOut: boolean): FailureDescription {
  if (err instanceof NetError) {
    const proxyStatus = err.extra.proxyStatus;
    const reason = classifyFailure({ via, phase: err.phase, code: err.code, timedOut: timedOut || err.code === 'ETIMEDOUT', proxyStatus });
    const described: FailureDescription = { reason, detail: sanitizeRemoteText(err.message, 300), proxyStatus };
    if (proxyStatus === 407) described.proxyAuthSchemes = parseProxyAuthenticate(err.extra.proxyHeaders?.get('proxy-authenticate') ?? []);
    if (err.extra.authScheme) described.authScheme = err.extra.authScheme;
    return described;
  }
  const e = err as (NodeJS.ErrnoException & { code?: string }) | undefined;
  const code = e?.code ?? 'ERR';
  const reason = classifyFailure({ via, phase, code, timedOut });
  const what = timedOut ? `no answer within the probe timeout (in ${phase ?? 'start'})` : `${code} in ${phase ?? 'start'}: ${e?.message ?? String(err)}`;
  return { reason, detail: sanitizeRemoteText(what, 300) };
}
