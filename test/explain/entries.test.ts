// The explain entries as data: config/explain.yaml resolved for each cloud from its catalogue, and a bad entries
// file reported as one line (file, key, problem).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableClouds, loadCatalogue } from '../../agent/config/catalogue.js';
import { explainEntries, loadExplainEntries, type ExplainEntry } from '../../agent/explain/entries.js';
import { InputError } from '../../agent/errors.js';
import { REMEDIES } from '../../agent/probes/classify.js';
import { CLI } from '../lab/agent-process.js';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'explain', name);
const allText = (entries: readonly ExplainEntry[]) => JSON.stringify(entries);
const entry = (entries: readonly ExplainEntry[], id: string) => {
  const e = entries.find((x) => x.id === id);
  if (!e) throw new Error(`no entry ${id}`);
  return e;
};

describe('config/explain.yaml', () => {
  it('loads for every cloud with a catalogue: every check and endpoint id it names exists there', () => {
    expect(availableClouds()).toEqual(expect.arrayContaining(['china', 'global', 'usgov']));
    for (const cloud of availableClouds()) {
      const entries = explainEntries(cloud);
      expect(entries.length, cloud).toBeGreaterThanOrEqual(20);
      expect(allText(entries), cloud).not.toMatch(/\{[a-zA-Z]+(:[^{}]*)?\}/);
    }
  });

  it('cloud: global names the worldwide hosts, and no China host', () => {
    const entries = explainEntries('global');
    expect(entry(entries, 'mfa-endpoint-unreachable').meaning).toContain('https://secure.aadcdn.microsoftonline-p.com ');
    expect(entry(entries, 'mfa-endpoint-unreachable').remedy).toBe('If you see this error, verify that the endpoint secure.aadcdn.microsoftonline-p.com has been added to the proxy.');
    expect(entry(entries, 'wizard-not-configured').manualChecks).toContain(
      'Verify proxy connectivity: in PowerShell, run Invoke-WebRequest -Uri https://adminwebservice.microsoftonline.com/ProvisioningService.svc (the agent runs the same request as `connectivity_test`).',
    );
    expect(entry(entries, 'password-not-verified').remedy).toContain('Try to sign in to https://login.microsoftonline.com on a different computer');
    expect(entry(entries, 'microsoft-account').manualChecks?.[0]).toContain('admin@contoso.onmicrosoft.com');
    expect(allText(entries)).not.toMatch(/microsoftonline\.cn|microsoftonline-p\.cn|chinacloudapi|onmschina/);
  });

  it('cloud: china keeps the article\'s own hosts', () => {
    const entries = explainEntries('china');
    expect(entry(entries, 'mfa-endpoint-unreachable').remedy).toContain('secure.aadcdn.partner.microsoftonline-p.cn has been added');
    expect(entry(entries, 'signin-assistant').manualChecks).toContain(
      'Verify proxy connectivity: in PowerShell, run Invoke-WebRequest -Uri https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc (the agent runs the same request as `connectivity_test`).',
    );
    expect(entry(entries, 'microsoft-account').manualChecks?.[0]).toContain('admin@contoso.partner.onmschina.cn');
    expect(entry(entries, 'unknown-user-type').causes[1]).toContain('while the agent looks at the china cloud');
  });

  it('cloud: usgov names the Azure Government hosts', () => {
    const text = allText(explainEntries('usgov'));
    expect(text).toContain('https://adminwebservice.microsoftonline.us/ProvisioningService.svc');
    expect(text).toContain('https://login.microsoftonline.us on');
    expect(text).not.toMatch(/microsoftonline\.cn|microsoftonline\.com\//);
  });

  it('a remedy given by reason is that reason\'s typed remedy, for every cloud', () => {
    for (const cloud of availableClouds()) expect(entry(explainEntries(cloud), 'proxy-forbidden').remedy).toBe(REMEDIES.proxy_denied);
  });
});

describe('an entries file', () => {
  const china = () => loadCatalogue('china');

  it('resolves every placeholder from the catalogue', () => {
    const [e] = loadExplainEntries(china(), fixture('base.yaml'));
    expect(e).toMatchObject({ id: 'proxy-forbidden', remedy: REMEDIES.proxy_denied, checks: ['connectivity_test', 'endpoint:login'] });
    expect(e!.manualChecks).toEqual([
      'Invoke-WebRequest -Uri https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc',
      'Open https://login.partner.microsoftonline.cn (*.partner.microsoftonline.cn) for china, tenant fabrikam.partner.onmschina.cn, via login.partner.microsoftonline.cn.',
    ]);
  });

  it.each([
    ['unknown-check.yaml', 'entries[0].checks[1]: unknown check "ping" (one of host, machine_config, proxy_reachable, connectivity_test, endpoints, revocation, idle, signin_discovery, or endpoint:ID)'],
    ['unknown-endpoint-check.yaml', 'entries[0].checks[1]: no endpoint "no-such-endpoint" in the china catalogue'],
    ['unknown-endpoint-placeholder.yaml', 'entries[0].manualChecks[1]: no endpoint "nowhere" in the china catalogue'],
    ['unknown-placeholder.yaml', 'entries[0].manualChecks[1]: unknown placeholder {region} (endpoint:ID, host:ID, pattern:ID, text:NAME, loginHost, initialDomain, cloud)'],
    ['unknown-text.yaml', 'entries[0].manualChecks[0]: no text "goodbye" under texts'],
    ['unknown-reason.yaml', 'entries[0].remedy: must be a text, or { reason: R } with R a failure reason (dns, proxy_unreachable,'],
    ['unknown-key.yaml', 'entries[0]: unknown key "severity"'],
    ['checkable-without-checks.yaml', 'entries[0].networkCheckable: networkCheckable must be true exactly when the entry names checks'],
    ['duplicate-id.yaml', 'entries[1].id: duplicate id "proxy-forbidden"'],
  ])('%s is one line naming the file, the key and the problem', (name, expected) => {
    const file = fixture(name);
    let thrown: unknown;
    try {
      loadExplainEntries(china(), file);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InputError);
    const message = (thrown as InputError).message;
    expect(message.startsWith(`${file}: ${expected}`), message).toBe(true);
    expect(message).not.toContain('\n');
  });
});

describe('explain --config (the CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecm-explain-'));
  const configFor = (cloud: string) => {
    const file = join(dir, `${cloud}.yaml`);
    writeFileSync(file, `cloud: ${cloud}\n`);
    return file;
  };
  const explain = (args: string[]) => spawnSync(process.execPath, [CLI, 'explain', ...args], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH } });

  it('with a cloud: global configuration names the worldwide MFA host', () => {
    const run = explain(['The MFA endpoint can\'t be reached', '--config', configFor('global')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('verify that the endpoint secure.aadcdn.microsoftonline-p.com has been added to the proxy');
    expect(run.stdout).not.toContain('microsoftonline-p.cn');
  });

  it('without --config names the article\'s (China) hosts', () => {
    const run = explain(['--json', 'sign-in assistant']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc');
  });

  it('an unknown cloud is one line listing the clouds there are, exit 2', () => {
    const file = configFor('mars');
    const run = explain(['403', '--config', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`entra-connect-monitor: ${file}: cloud: unknown cloud "mars" (one of china, global, usgov)\n`);
  });
});
