// Sign-in discovery over one route: the user realm and tenant requests the wizard's sign-in makes first, on the
// configured cloud's login host, then the federated identity provider (AuthURL) when there is one. Every step is a
// timed HTTPS GET with its own timeout and full TLS validation; no credential is ever sent. Never throws.
import type { SignInResult, SignInStep, SignInStepResult } from './result.js';
import { loadCatalogue, type Cloud, CLOUDS } from '../../config/catalogue.js';
import { PhaseClock } from '../../net/phase-clock.js';
import { routeGoesDirect, routeHop, type ProbeSettings, type Route } from '../../plan/plan.js';

import {
  isConsumerDomain,
  namespaceLabel,
  parseTenantValue,
  readRealm,
  readTenant,
  signInFindings,
  type DiscoveryFacts,
  type HttpAnswer,
  type RealmAnswer,
  type StepOutcome,
  type TenantAnswer,
} from './facts.js';
import { exchange, type ExchangeProgress } from '../../net/http-exchange.js';
import { describeFailure } from '../classify.js';

/** Enough for any realm or OpenID configuration answer (a few KB); a block page is cut, which is fine. */
const MAX_BODY_BYTES = 64 * 1024;

function viaFor(route: Route, host: string): 'proxy' | 'direct' {
  return routeGoesDirect(route, new URL(`https://${host}/`)) ? 'direct' : 'proxy';
}

export function realmUrl(loginHost: string, domain: string): URL {
  const url = new URL(`https://${loginHost}/common/userrealm/`);
  url.searchParams.set('user', domain);
  url.searchParams.set('api-version', '2.1');
  url.searchParams.set('checkForMicrosoftAccount', 'true');
  return url;
}

export function tenantUrl(loginHost: string, domain: string): URL {
  return new URL(`https://${loginHost}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`);
}

interface StepRun {
  result: SignInStepResult;
  answer?: HttpAnswer;
}

async function runStep(step: SignInStep, url: URL, route: Route, settings: ProbeSettings, parent: AbortSignal | undefined): Promise<StepRun> {
  const via = viaFor(route, url.hostname);
  const clock = new PhaseClock();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
  const onParentAbort = () => controller.abort();
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const progress: ExchangeProgress = {};
  const result: SignInStepResult = { step, url: url.href, via, answered: false, durationSeconds: 0, phases: {} };
  try {
    const got = await exchange({ url, hop: via === 'proxy' ? routeHop(route) : undefined, settings, clock, signal: controller.signal, maxBodyBytes: MAX_BODY_BYTES, keepBody: true, accept: 'application/json', progress });
    Object.assign(result, { answered: true, httpStatus: got.status, proxyStatus: progress.proxyStatus, durationSeconds: clock.totalSeconds(), phases: clock.phases() });
    return { result, answer: { status: got.status, contentType: String(got.headers['content-type'] ?? ''), body: got.body.toString('utf8') } };
  } catch (err) {
    const failed = describeFailure(err, via, clock.lastPhase, controller.signal.aborted && !parent?.aborted);
    Object.assign(result, { proxyStatus: failed.proxyStatus ?? progress.proxyStatus, durationSeconds: clock.totalSeconds(), phases: clock.phases(), reason: failed.reason, detail: failed.detail });
    return { result };
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}

function outcome<T>(run: StepRun, read: (a: HttpAnswer) => { ok: true; value: T } | { ok: false; detail: string }): StepOutcome<T> {
  if (!run.answer) return { kind: 'network', reason: run.result.reason ?? 'unexpected_body', detail: run.result.detail ?? 'no answer' };
  const r = read(run.answer);
  if (!r.ok) {
    run.result.detail = r.detail;
    return { kind: 'unexpected', detail: r.detail };
  }
  return { kind: 'answer', value: r.value };
}

/**
 * Discovers how `tenant` (a domain, a user principal name or a tenant id) signs in, over `route`, on `cloud`'s login
 * hosts (the catalogue's loginHosts, tried in order while they cannot be reached).
 */
export async function discoverSignIn(route: Route, cloud: Cloud, tenant: string, settings: ProbeSettings, signal?: AbortSignal): Promise<SignInResult> {
  const startedAt = Date.now();
  const started = process.hrtime.bigint();
  const parsed = parseTenantValue(tenant);
  const domain = 'error' in parsed ? tenant : parsed.domain;
  const isTenantId = 'error' in parsed ? false : parsed.isTenantId;
  const loginHosts = loadCatalogue(cloud).loginHosts;
  const steps: SignInStepResult[] = [];
  const facts: DiscoveryFacts = { cloud, route: route.name, domain, isTenantId, loginHost: loginHosts[0]! };
  const result: SignInResult = { kind: 'signin', target: domain, route: route.name, domain, cloud, loginHost: facts.loginHost, startedAt, durationSeconds: 0, success: false, steps, findings: [] };
  const done = (): SignInResult => {
    result.findings = signInFindings(facts);
    result.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    return result;
  };
  if ('error' in parsed) {
    result.findings = [{ code: 'unknown_user_type', severity: 'error', message: `The tenant setting ${parsed.error}.`, remedy: 'Set tenant.domain (or --tenant) to a verified domain of your tenant, a user principal name (admin@fabrikam.cn) or the tenant id.' }];
    return result;
  }

  // 1. User realm, on the first login host that can be reached. A tenant id has no realm: the tenant step says it all.
  let realm: RealmAnswer | undefined;
  if (!isTenantId) {
    facts.triedHosts = [];
    for (const host of loginHosts) {
      const run = await runStep('realm', realmUrl(host, domain), route, settings, signal);
      steps.push(run.result);
      facts.loginHost = host;
      facts.triedHosts.push(host);
      facts.realm = outcome(run, readRealm);
      if (run.answer || signal?.aborted) break;
    }
    result.loginHost = facts.loginHost;
    if (facts.realm?.kind !== 'answer') return done();
    realm = facts.realm.value;
    result.success = true;
    result.namespaceType = realm.namespaceType;
    result.cloudInstanceName = realm.cloudInstanceName;
    result.authUrl = realm.authUrl;
    result.federationProtocol = realm.federationProtocol;
    if (realm.consumerDomain || isConsumerDomain(domain)) return done();

    // Unknown here: ask the other clouds' login services (and only then).
    if (namespaceLabel(realm.namespaceType) === 'Unknown') {
      facts.knownElsewhere = [];
      for (const other of CLOUDS.filter((c) => c !== cloud)) {
        const host = loadCatalogue(other).loginHosts[0]!;
        const run = await runStep('other_cloud', realmUrl(host, domain), route, settings, signal);
        steps.push(run.result);
        const o = outcome(run, readRealm);
        if (o.kind === 'answer' && ['Managed', 'Federated'].includes(namespaceLabel(o.value.namespaceType))) {
          facts.knownElsewhere.push({ cloud: other, namespaceType: namespaceLabel(o.value.namespaceType) });
        }
      }
      if (facts.knownElsewhere[0]) result.knownInCloud = facts.knownElsewhere[0].cloud;
    }
  }

  // 2. Tenant: its OpenID configuration on the login host that answered.
  {
    const run = await runStep('tenant', tenantUrl(facts.loginHost, domain), route, settings, signal);
    steps.push(run.result);
    facts.tenant = outcome<TenantAnswer>(run, readTenant);
    if (isTenantId) {
      // No realm request was made: the tenant request is the discovery.
      result.success = facts.tenant.kind === 'answer';
      if (facts.tenant.kind === 'network') facts.realm = facts.tenant;
      if (facts.tenant.kind === 'network') facts.tenant = undefined;
    }
    if (facts.tenant?.kind === 'answer') {
      const t = facts.tenant.value;
      result.tenantFound = t.found;
      if (t.found) {
        result.tenantId = t.tenantId;
        result.tenantRegionScope = t.tenantRegionScope;
        result.cloudInstanceName ??= t.cloudInstanceName;
      }
    }
  }

  // 3. Federation: the identity provider in AuthURL, through the same route. Any HTTP answer means it is reachable.
  if (realm && namespaceLabel(realm.namespaceType) === 'Federated') {
    let url: URL | undefined;
    try {
      url = realm.authUrl ? new URL(realm.authUrl) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:') {
      facts.federation = { host: url?.hostname ?? '(none)', kind: 'no_url', detail: realm.authUrl ? 'the AuthURL is not an https:// URL' : 'the user realm gave no AuthURL' };
    } else {
      // The sign-in page itself, without the query (which carries the user name and the realm's context).
      const target = new URL(`${url.origin}${url.pathname}`);
      const run = await runStep('federation', target, route, settings, signal);
      steps.push(run.result);
      facts.federation = run.answer
        ? { host: url.hostname, kind: 'answered', status: run.answer.status }
        : { host: url.hostname, kind: 'network', reason: run.result.reason ?? 'unexpected_body', detail: run.result.detail ?? 'no answer' };
    }
  }
  return done();
}

