// A new cloud is one YAML file: a fixture cloud (`lab`, test/fixtures/clouds/lab.yaml) in an extra catalogue
// directory works everywhere a cloud is used (configuration, plan, check through a real squid, explain, sign-in
// facts, proxy log hosts) with no code naming it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableClouds, CATALOGUE_DIR_ENV, loadCatalogue } from '../../agent/config/catalogue.js';
import { parseConfig } from '../../agent/config/config.js';
import { explainEntries } from '../../agent/explain/entries.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { cloudInstanceLabel, cloudOfInstance, isConsumerDomain, signInFindings } from '../../agent/probes/signin/facts.js';
import { HostClassifier } from '../../agent/proxylog/hosts.js';
import { InputError } from '../../agent/errors.js';
import { runCli } from '../lab/agent-process.js';
import { startLab, type Lab } from '../lab/lab.js';

const CLOUDS_DIR = join(__dirname, '..', 'fixtures', 'clouds');
const previous = process.env[CATALOGUE_DIR_ENV];
// Before the lab starts: its squid and its certificate then cover the lab cloud's hosts too.
process.env[CATALOGUE_DIR_ENV] = CLOUDS_DIR;

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.stop();
  if (previous === undefined) delete process.env[CATALOGUE_DIR_ENV];
  else process.env[CATALOGUE_DIR_ENV] = previous;
});

describe('a cloud added as one file', () => {
  it('is available beside the package\'s clouds, and named in the unknown-cloud error', () => {
    expect(availableClouds()).toEqual(['china', 'global', 'lab', 'usgov']);
    expect(() => parseConfig('cloud: mars\n', 'agent.yaml', {})).toThrow(new InputError('agent.yaml', 'cloud', 'unknown cloud "mars" (one of china, global, lab, usgov)'));
  });

  it('configures and plans: its endpoints are the probe targets', () => {
    const plan = buildPlan(parseConfig('cloud: lab\n', 'agent.yaml', {}), {});
    expect(plan.config.cloud).toBe('lab');
    expect([...new Set(plan.targets.map((t) => t.endpoint.host))].sort()).toEqual(['adminwebservice.entra.lab.example', 'cdn.lab.example', 'crl.lab.example', 'login.entra.lab.example']);
    expect(plan.targets.every((t) => t.endpoint.cloud === 'lab')).toBe(true);
  });

  it('explain names its hosts', () => {
    const entries = explainEntries('lab');
    const mfa = entries.find((e) => e.id === 'mfa-endpoint-unreachable')!;
    expect(mfa.remedy).toBe('If you see this error, verify that the endpoint cdn.lab.example has been added to the proxy.');
    expect(JSON.stringify(entries)).toContain('Invoke-WebRequest -Uri https://adminwebservice.entra.lab.example/ProvisioningService.svc');
    expect(JSON.stringify(entries)).not.toMatch(/microsoftonline|chinacloudapi/);
  });

  it('sign-in facts: its instance name, consumer domains and initial domain', () => {
    expect(cloudOfInstance('entra.lab.example')).toBe('lab');
    expect(cloudInstanceLabel('ENTRA.lab.example')).toBe('entra.lab.example');
    expect(isConsumerDomain('mail.lab.example')).toBe(true);
    // Another cloud's Microsoft accounts are still Microsoft accounts.
    expect(isConsumerDomain('outlook.com')).toBe(true);
    const facts = { cloud: 'lab', route: 'direct', domain: 'fabrikam.example', isTenantId: false, loginHost: 'login.entra.lab.example' };
    const [unknown] = signInFindings({ ...facts, realm: { kind: 'answer', value: { namespaceType: 'Unknown', consumerDomain: false } }, knownElsewhere: [] });
    expect(unknown).toMatchObject({ code: 'unknown_user_type' });
    expect(unknown!.remedy).toContain('admin@fabrikam.onlab.example');
    const [unexpected] = signInFindings({ ...facts, realm: { kind: 'unexpected', detail: 'an HTML page' } });
    expect(unexpected!.remedy).toContain('*.entra.lab.example must be opened.');
  });

  it('proxy logs: hosts under its directory domain are Entra Connect traffic, regional ones marked', () => {
    const classifier = new HostClassifier([loadCatalogue('lab')]);
    expect(classifier.classify('xy01-anchor.entra.lab.example')).toMatchObject({ kind: 'entra', regional: true, role: 'anchor', pattern: '*.entra.lab.example' });
    expect(classifier.classify('adminwebservice.entra.lab.example')).toMatchObject({ kind: 'entra', endpoints: ['adminwebservice'], regional: false });
  });

  it('check --config probes it through a real squid, and explain --config names its hosts (the CLI)', async () => {
    const env = { [CATALOGUE_DIR_ENV]: CLOUDS_DIR };
    const config = lab.writeConfig({ cloud: 'lab', tls: { caFile: lab.ca.certFile }, probes: { timeoutSeconds: 5 }, routes: [{ name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` }] });
    const check = await runCli(['check', '--json', '--config', config], env);
    expect(check.stderr).toBe('');
    const report = JSON.parse(check.stdout) as { results: Array<{ endpoint: string; success: boolean }> };
    expect(report.results.map((p) => p.endpoint).sort()).toEqual(['adminwebservice', 'entrust-crl', 'login', 'mfa-aadcdn']);
    expect(report.results.every((p) => p.success)).toBe(true);
    expect(check.status).toBe(0);

    const explain = await runCli(['explain', 'The MFA endpoint can\'t be reached', '--config', config], env);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toContain('verify that the endpoint cdn.lab.example has been added to the proxy');
  });

  it('a cloud file with a mistake is one line naming the file, the key and the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecm-clouds-'));
    const lab = readFileSync(join(CLOUDS_DIR, 'lab.yaml'), 'utf8');
    writeFileSync(join(dir, 'nofacts.yaml'), lab.replace('cloud: lab', 'cloud: nofacts').replace(/^cloudInstance: .*\n/m, ''));
    writeFileSync(join(dir, 'misnamed.yaml'), lab);
    writeFileSync(join(dir, 'badpattern.yaml'), lab.replace('cloud: lab', 'cloud: badpattern').replace('directoryDomains: ["*.entra.lab.example"]', 'directoryDomains: [entra.lab.example]'));
    process.env[CATALOGUE_DIR_ENV] = `${dir}${delimiter}${CLOUDS_DIR}`;
    try {
      expect(() => loadCatalogue('nofacts')).toThrow(new InputError(join(dir, 'nofacts.yaml'), 'cloudInstance', 'Invalid input: expected string, received undefined'));
      expect(() => loadCatalogue('misnamed')).toThrow(new InputError(join(dir, 'misnamed.yaml'), 'cloud', 'must be "misnamed", the file\'s name'));
      expect(() => loadCatalogue('badpattern')).toThrow(new InputError(join(dir, 'badpattern.yaml'), 'directoryDomains[0]', 'must be a wildcard pattern "*.domain"'));
      const config = join(dir, 'agent.yaml');
      writeFileSync(config, 'cloud: nofacts\n');
      const run = await runCli(['check', '--config', config], { [CATALOGUE_DIR_ENV]: dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`entra-connect-monitor: ${join(dir, 'nofacts.yaml')}: cloudInstance: Invalid input: expected string, received undefined\n`);
    } finally {
      process.env[CATALOGUE_DIR_ENV] = CLOUDS_DIR;
    }
  });
});
