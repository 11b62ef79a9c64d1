// Sign-in discovery, the pure part: what the tenant setting means, how the login service's answers are read, and
// which findings follow from them, in the words of Microsoft's troubleshooting article where it has them
// ("Unknown user type", "User realm discovery failed", "A Microsoft account is used"). No network here.
import { CLOUDS, type Cloud } from '../../config/catalogue.js';
import { remedyFor, type FailureReason } from '../classify.js';
import type { Finding } from '../../finding.js';

export const SIGNIN_FINDING_CODES = [
  'realm_discovery_failed',
  'unknown_user_type',
  'tenant_not_found',
  'wrong_cloud',
  'microsoft_account',
  'federation_unreachable',
  'unexpected_response',
] as const;
export type SignInFindingCode = (typeof SIGNIN_FINDING_CODES)[number];

/** The cloud instance name each cloud's login service reports (cloud_instance_name). */
export const CLOUD_INSTANCES: Record<Cloud, string> = {
  china: 'partner.microsoftonline.cn',
  global: 'microsoftonline.com',
  usgov: 'microsoftonline.us',
};

/** The initial (.onmicrosoft) domain suffix of a tenant in each cloud, for the unknown_user_type remedy. */
const INITIAL_DOMAIN: Record<Cloud, string> = {
  china: 'partner.onmschina.cn',
  global: 'onmicrosoft.com',
  usgov: 'onmicrosoft.us',
};

/** Consumer (Microsoft account) domains: an account there is never a school or organization account. */
const CONSUMER_DOMAINS = new Set(['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'passport.com', 'passport.net', 'outlook.cn', 'live.cn', 'hotmail.co.uk', 'live.co.uk']);

export { parseTenantValue, type TenantTarget } from '../../config/values.js';

export const NAMESPACE_TYPES = ['Managed', 'Federated', 'Unknown'] as const;

export function isConsumerDomain(domain: string): boolean {
  return CONSUMER_DOMAINS.has(domain.toLowerCase());
}

/** namespace_type label: a closed set, never the remote text. */
export function namespaceLabel(value: string | undefined): string {
  const hit = NAMESPACE_TYPES.find((t) => t.toLowerCase() === (value ?? '').toLowerCase());
  return hit ?? 'other';
}

/** cloud_instance label: a closed set of known instance names, never the remote text. */
export function cloudInstanceLabel(value: string | undefined): string {
  const v = (value ?? '').toLowerCase();
  return Object.values(CLOUD_INSTANCES).includes(v) ? v : 'other';
}

export function cloudOfInstance(value: string | undefined): Cloud | undefined {
  const v = (value ?? '').toLowerCase();
  return CLOUDS.find((c) => CLOUD_INSTANCES[c] === v);
}

/** Remote text as it may appear in a message: printable and short. */
export function printable(text: string, max = 200): string {
  const p = text.replace(/[^\x20-\x7e]/g, '?');
  return p.length > max ? `${p.slice(0, max)}...` : p;
}

// --- Reading the login service's answers ---

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface RealmAnswer {
  namespaceType: string;
  domainName?: string;
  cloudInstanceName?: string;
  federationProtocol?: string;
  authUrl?: string;
  consumerDomain: boolean;
}

export type Read<T> = { ok: true; value: T } | { ok: false; detail: string };

function describeUnexpected(a: HttpAnswer, expected: string): string {
  const type = a.contentType ? a.contentType.split(';')[0]!.trim() : 'no content type';
  const looksHtml = /^\s*<(!doctype|html|head|body)/i.test(a.body);
  const title = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(a.body)?.[1];
  return `the login host answered HTTP ${a.status} (${type}${looksHtml ? ', an HTML page' : ''}${title ? `: "${printable(title.trim(), 80)}"` : ''}) instead of ${expected}`;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A user realm answer (api-version 2.x: NameSpaceType; 1.0: account_type). */
export function readRealm(a: HttpAnswer): Read<RealmAnswer> {
  const json = a.status === 200 ? parseJsonObject(a.body) : undefined;
  const ns = json ? str(json.NameSpaceType) ?? str(json.account_type) : undefined;
  if (!json || !ns) return { ok: false, detail: describeUnexpected(a, 'the user realm JSON (NameSpaceType)') };
  return {
    ok: true,
    value: {
      namespaceType: printable(ns, 40),
      domainName: str(json.DomainName) ?? str(json.domain_name),
      cloudInstanceName: str(json.cloud_instance_name) ?? str(json.CloudInstanceName),
      federationProtocol: str(json.federation_protocol) ?? str(json.FederationProtocol),
      authUrl: str(json.AuthURL) ?? str(json.AuthUrl) ?? str(json.federation_active_auth_url),
      consumerDomain: json.IsConsumerDomain === true || json.is_consumer_domain === true,
    },
  };
}

export type TenantAnswer = { found: true; tenantId?: string; cloudInstanceName?: string; tenantRegionScope?: string } | { found: false; description: string };

/** An OpenID configuration answer: 200 with issuer, or 400 invalid_tenant (AADSTS90002). */
export function readTenant(a: HttpAnswer): Read<TenantAnswer> {
  const json = parseJsonObject(a.body);
  if (a.status === 200 && json && str(json.issuer)) {
    const tenantId = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(String(json.issuer))?.[1]?.toLowerCase();
    return { ok: true, value: { found: true, tenantId, cloudInstanceName: str(json.cloud_instance_name), tenantRegionScope: str(json.tenant_region_scope) } };
  }
  if (a.status >= 400 && a.status < 500 && json) {
    const description = str(json.error_description) ?? '';
    if (json.error === 'invalid_tenant' || /AADSTS90002/.test(description)) {
      return { ok: true, value: { found: false, description: printable(description.split(/\r?\n/)[0] ?? '', 200) } };
    }
  }
  return { ok: false, detail: describeUnexpected(a, 'the OpenID configuration JSON (issuer)') };
}

// --- Findings ---

export type StepOutcome<T> = { kind: 'network'; reason: FailureReason; detail: string } | { kind: 'unexpected'; detail: string } | { kind: 'answer'; value: T };

export interface DiscoveryFacts {
  cloud: Cloud;
  route: string;
  domain: string;
  isTenantId: boolean;
  loginHost: string;
  /** Every login host asked for the realm, in order (the aliases are tried while they cannot be reached). */
  triedHosts?: string[];
  /** Absent when the realm was not asked (a tenant id). */
  realm?: StepOutcome<RealmAnswer>;
  /** Other clouds whose login service knows the domain (asked only after an Unknown). */
  knownElsewhere?: Array<{ cloud: Cloud; namespaceType: string }>;
  tenant?: StepOutcome<TenantAnswer>;
  federation?: { host: string } & ({ kind: 'network'; reason: FailureReason; detail: string } | { kind: 'answered'; status: number } | { kind: 'no_url'; detail: string });
}

// The article's headings and their text, word for word.
const ARTICLE = {
  realm: ['User realm discovery failed', "Network or proxy configuration issues. The network can't be reached. See Connectivity issues in the installation wizard."],
  unknown: ['Unknown user type', "Your Microsoft Entra directory can't be found or resolved. Maybe you tried to sign in with a username in an unverified domain?"],
  msa: ['A Microsoft account is used', 'If you use a Microsoft account instead of a school or organization account, you see a generic error.'],
} as const;

function finding(code: SignInFindingCode, severity: Finding['severity'], message: string, remedy: string): Finding {
  return { code, severity, message, remedy };
}

/** The findings of one discovery, from its facts. Pure: unit-tested without a network. */
export function signInFindings(f: DiscoveryFacts): Finding[] {
  const out: Finding[] = [];
  const where = `over route ${f.route}`;
  const unexpected = (what: string, detail: string) =>
    finding(
      'unexpected_response',
      'error',
      `${what} for ${f.domain} ${where}: ${detail}. Something other than the Microsoft login service answered: a proxy block page or TLS inspection.`,
      `The answer did not come from the Microsoft login service: a filtering device, a proxy block page or TLS inspection answered in its place. Make sure the proxy lets ${f.loginHost} through untouched (no block page, no TLS inspection for Microsoft Entra endpoints). ${f.cloud === 'china' ? '*.partner.microsoftonline.cn and *.chinacloudapi.cn must be opened.' : ''}`.trim(),
    );
  const network = (detail: string, reason: FailureReason) =>
    finding('realm_discovery_failed', 'error', `${ARTICLE.realm[0]}: the login service ${(f.triedHosts ?? [f.loginHost]).join(' and ')} cannot be reached ${where} (${reason}: ${detail}).`, `${ARTICLE.realm[1]} ${remedyFor(reason)}`);

  if (f.realm?.kind === 'network') return [network(f.realm.detail, f.realm.reason)];
  if (f.realm?.kind === 'unexpected') return [unexpected('The user realm request', f.realm.detail)];

  const realm = f.realm?.kind === 'answer' ? f.realm.value : undefined;
  if (realm && (realm.consumerDomain || isConsumerDomain(f.domain))) {
    out.push(
      finding(
        'microsoft_account',
        'error',
        `${ARTICLE.msa[0]}: ${f.domain} is a Microsoft account (consumer) domain, not a domain of a Microsoft Entra tenant.`,
        `${ARTICLE.msa[1]} Use a school or organization account (a work account of your Microsoft Entra tenant, for example admin@fabrikam.${INITIAL_DOMAIN[f.cloud]}), not a Microsoft account (outlook.com, hotmail.com, live.com).`,
      ),
    );
    return out;
  }

  // A known instance of another cloud in the answer, or an Unknown here that another cloud knows: the wrong cloud.
  const instanceCloud = realm ? cloudOfInstance(realm.cloudInstanceName) : undefined;
  const elsewhere = realm && namespaceLabel(realm.namespaceType) === 'Unknown' ? f.knownElsewhere?.[0] : undefined;
  const otherCloud = elsewhere?.cloud ?? (instanceCloud && instanceCloud !== f.cloud && namespaceLabel(realm?.namespaceType) !== 'Unknown' ? instanceCloud : undefined);
  if (otherCloud) {
    out.push(
      finding(
        'wrong_cloud',
        'error',
        `${f.domain} is ${elsewhere ? `unknown to the ${f.cloud} login service (${f.loginHost}) but known to the ${otherCloud} cloud's (NameSpaceType ${elsewhere.namespaceType})` : `answered by ${f.loginHost} as a domain of the ${otherCloud} cloud (cloud_instance_name ${CLOUD_INSTANCES[otherCloud]})`}.`,
        `The tenant lives in another cloud: set \`cloud: ${otherCloud}\` in the agent configuration, and make sure Microsoft Entra Connect is installed for that cloud and the proxy opens that cloud's endpoints. Or, if this is the wrong domain, use a verified domain of your ${f.cloud} tenant.`,
      ),
    );
  } else if (realm && namespaceLabel(realm.namespaceType) === 'Unknown') {
    out.push(
      finding(
        'unknown_user_type',
        'error',
        `${ARTICLE.unknown[0]}: the domain ${f.domain} is not verified in any tenant of the ${f.cloud} cloud (${f.loginHost} answered NameSpaceType Unknown).`,
        `${ARTICLE.unknown[1]} Sign in with a username in a verified domain of your directory, or in the tenant's initial domain (for example admin@fabrikam.${INITIAL_DOMAIN[f.cloud]}); check in the Microsoft Entra admin center that ${f.domain} is listed as verified.`,
      ),
    );
  }

  if (f.tenant?.kind === 'network') out.push(network(f.tenant.detail, f.tenant.reason));
  else if (f.tenant?.kind === 'unexpected') out.push(unexpected('The tenant (OpenID configuration) request', f.tenant.detail));
  else if (f.tenant?.kind === 'answer' && !f.tenant.value.found && !otherCloud) {
    out.push(
      finding(
        'tenant_not_found',
        'error',
        `Tenant ${f.domain} not found in the ${f.cloud} cloud (${/^AADSTS90002/.test(f.tenant.value.description) ? f.tenant.value.description : `AADSTS90002${f.tenant.value.description ? `: ${f.tenant.value.description}` : ''}`}).`,
        `Your Microsoft Entra directory can't be found or resolved. Check the tenant domain or tenant id (tenant.domain in the agent configuration, or --tenant): use a verified domain or the initial domain of your tenant (for example fabrikam.${INITIAL_DOMAIN[f.cloud]}), and check that the tenant is in the ${f.cloud} cloud.`,
      ),
    );
  }

  if (f.federation?.kind === 'network' || f.federation?.kind === 'no_url') {
    const detail = f.federation.kind === 'network' ? `${f.federation.reason}: ${f.federation.detail}` : f.federation.detail;
    out.push(
      finding(
        'federation_unreachable',
        'error',
        `${f.domain} is federated, and its identity provider ${f.federation.host} (the AuthURL of the user realm) cannot be reached ${where} (${detail}).`,
        `Sign-in for a federated domain goes to the on-premises identity provider (for example AD FS): make sure ${f.federation.host} resolves from this server and that the proxy opens it (or bypasses it, if it is internal), and that the identity provider is running.${f.federation.kind === 'network' ? ` ${remedyFor(f.federation.reason)}` : ''}`,
      ),
    );
  }
  return out;
}
