// A fake Microsoft login service for the lab's HTTPS server: user realm and OpenID configuration answers in the
// shapes the real service gives, per cloud (keyed by the Host header), for clearly fake domains. Anything else is
// answered like the lab's default server (200 "ok"), so catalogue probes keep working beside it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { okHandler, type Handler } from './servers.js';

export interface FakeDomain {
  domain: string;
  namespaceType: 'Managed' | 'Federated';
  tenantId: string;
  /** For a Federated domain: the identity provider's sign-in URL. */
  authUrl?: string;
  /** The tenant's OpenID configuration is missing (AADSTS90002) even though the realm knows the domain. */
  tenantMissing?: boolean;
}

export interface FakeCloud {
  /** Login host names of this cloud (the Host header values answered). */
  hosts: string[];
  instance: string;
  regionScope: string;
  domains: FakeDomain[];
}

export interface LoginServiceOptions {
  clouds: FakeCloud[];
  /** Domains for which an HTML block page answers in place of the JSON (a filtering proxy, TLS inspection). */
  blockPageDomains?: string[];
  /** Host names of federated identity providers: answered with a sign-in page. */
  idpHosts?: string[];
}

export interface LoginService {
  handler: Handler;
  /** Requests seen: method, host and path (with query), for asserting what was (not) sent. */
  requests: Array<{ method: string; host: string; url: string; authorization?: string }>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function loginService(opts: LoginServiceOptions): LoginService {
  const requests: LoginService['requests'] = [];
  const handler: Handler = (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(req.url ?? '/', `https://${host}`);
    requests.push({ method: req.method ?? '', host, url: req.url ?? '', authorization: req.headers.authorization });
    if (opts.idpHosts?.includes(host)) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><head><title>Sign In</title></head><body>AD FS (fake)</body></html>');
      return;
    }
    const cloud = opts.clouds.find((c) => c.hosts.includes(host));
    if (!cloud) return okHandler(req, res);

    // User realm: /common/userrealm/{user}?api-version=2.0, or /common/userrealm/?user=...&api-version=2.1
    const realm = /^\/common\/userrealm\/?(.*)$/i.exec(url.pathname);
    if (realm) {
      const user = decodeURIComponent(realm[1] ?? '') || url.searchParams.get('user') || '';
      const domain = user.slice(user.lastIndexOf('@') + 1).toLowerCase();
      if (opts.blockPageDomains?.includes(domain)) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!DOCTYPE html><html><head><title>Access Denied by Web Filter</title></head><body>This site is blocked by policy.</body></html>');
        return;
      }
      const known = cloud.domains.find((d) => d.domain === domain);
      if (['outlook.com', 'hotmail.com', 'live.com'].includes(domain)) {
        return json(res, 200, { NameSpaceType: 'Managed', Login: user, DomainName: 'live.com', IsConsumerDomain: true, cloud_instance_name: cloud.instance });
      }
      if (!known) return json(res, 200, { NameSpaceType: 'Unknown', Login: user, DomainName: domain, cloud_instance_name: cloud.instance });
      return json(res, 200, {
        NameSpaceType: known.namespaceType,
        Login: user,
        DomainName: known.domain,
        FederationBrandName: 'Fabrikam (fake)',
        cloud_instance_name: cloud.instance,
        ...(known.namespaceType === 'Federated' ? { federation_protocol: 'WSTrust', AuthURL: known.authUrl } : {}),
      });
    }

    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/i.exec(url.pathname);
    if (oidc) {
      const key = decodeURIComponent(oidc[1]!).toLowerCase();
      const known = cloud.domains.find((d) => (d.domain === key || d.tenantId === key) && !d.tenantMissing);
      if (!known) {
        return json(res, 400, {
          error: 'invalid_tenant',
          error_description: `AADSTS90002: Tenant '${key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.\r\nTrace ID: 00000000-0000-0000-0000-000000000000`,
          error_codes: [90002],
        });
      }
      return json(res, 200, {
        issuer: `https://${cloud.hosts[0]}/${known.tenantId}/v2.0`,
        authorization_endpoint: `https://${cloud.hosts[0]}/${known.tenantId}/oauth2/v2.0/authorize`,
        tenant_region_scope: cloud.regionScope,
        cloud_instance_name: cloud.instance,
      });
    }
    okHandler(req, res); // the catalogue's own probe of the login host
  };
  return { handler, requests };
}

// --- The lab's fixture: two clouds (and usgov, empty), every name in it fake. ---

export const TID_FABRIKAM = '6f1a2b3c-0000-4000-8000-00000000fab1';
export const TID_CONTOSO = '7e2b3c4d-0000-4000-8000-00000000c0e2';
export const TID_MISSING = '00000000-dead-4000-8000-000000000000';
/** Identity provider names the lab maps to its address (give them to startLab's extraHosts). */
export const FAKE_IDP_HOSTS = ['sts.fabrikam.cn', 'sts.unreachable.fabrikam.cn'];
/** The proxy denies this identity provider (give it to startLab's deny): federation_unreachable. */
export const FAKE_DENIED_HOSTS = ['sts.unreachable.fabrikam.cn'];

/**
 * China: fabrikam.cn and fabrikam.partner.onmschina.cn (managed), fed.fabrikam.cn (federated, its IdP answers),
 * lostidp.fabrikam.cn (federated, its IdP denied by the proxy), orphan.fabrikam.cn (realm known, tenant missing),
 * blocked.fabrikam.cn (a block page answers). Worldwide: contoso.com (managed). Anything else: Unknown.
 */
export function fakeLoginService(): LoginService {
  return loginService({
    clouds: [
      {
        hosts: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
        instance: 'partner.microsoftonline.cn',
        regionScope: 'AS',
        domains: [
          { domain: 'fabrikam.cn', namespaceType: 'Managed', tenantId: TID_FABRIKAM },
          { domain: 'fabrikam.partner.onmschina.cn', namespaceType: 'Managed', tenantId: TID_FABRIKAM },
          { domain: 'fed.fabrikam.cn', namespaceType: 'Federated', tenantId: TID_FABRIKAM, authUrl: 'https://sts.fabrikam.cn/adfs/ls/?username=admin%40fed.fabrikam.cn&wa=wsignin1.0' },
          { domain: 'lostidp.fabrikam.cn', namespaceType: 'Federated', tenantId: TID_FABRIKAM, authUrl: 'https://sts.unreachable.fabrikam.cn/adfs/ls/' },
          { domain: 'orphan.fabrikam.cn', namespaceType: 'Managed', tenantId: TID_MISSING, tenantMissing: true },
        ],
      },
      { hosts: ['login.microsoftonline.com'], instance: 'microsoftonline.com', regionScope: 'NA', domains: [{ domain: 'contoso.com', namespaceType: 'Managed', tenantId: TID_CONTOSO }] },
      { hosts: ['login.microsoftonline.us'], instance: 'microsoftonline.us', regionScope: 'USGov', domains: [] },
    ],
    blockPageDomains: ['blocked.fabrikam.cn'],
    idpHosts: ['sts.fabrikam.cn'],
  });
}
