import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, routesFromEnvironment } from '../../agent/config/config.js';
import { InputError } from '../../agent/errors.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { DEFAULT_CONFIG_FILE } from '../../agent/paths.js';

const fixture = (name: string) => join(__dirname, '..', 'fixtures', 'config', name);

// One bad file per error, each with the line it must produce (file: key: problem).
const BAD_FILES: Array<[string, string]> = [
  ['malformed-yaml.yaml', 'line 3 column 1: malformed YAML'],
  ['unknown-key.yaml', 'probes: unknown key "timeout"'],
  ['unknown-cloud.yaml', 'cloud: unknown cloud "mars" (one of china, global, usgov)'],
  ['bad-proxy-url.yaml', 'routes[0].proxy: "not a url" is not a URL (expected http://host:port)'],
  ['bad-cron.yaml', 'probes.schedule: is not a valid cron expression'],
  ['bad-listen.yaml', 'listen: must be "HOST:PORT"'],
  ['proxy-url-with-credentials.yaml', 'routes[0].proxy: must not carry credentials'],
  ['duplicate-route.yaml', 'routes[1].name: duplicate route name "a"'],
  ['exclude-unknown.yaml', 'catalogue.exclude[0]: no endpoint "no-such-endpoint" in the china catalogue'],
  ['credentials-no-password.yaml', 'routes[0].credentials: needs exactly one of passwordFile or passwordEnv'],
  ['zero-concurrency.yaml', 'probes.concurrency: '],
  ['idle-holds-too-short.yaml', 'idle.holdSeconds: no hold in idle.holdSeconds is longer than idle.requiredSeconds'],
  ['tls-versions-inverted.yaml', 'tls.maxVersion: must not be below tls.minVersion'],
  ['tls-version-unknown.yaml', 'tls.maxVersion: unknown TLS version "TLSv1.1" (one of TLSv1.2, TLSv1.3)'],
  ['expected-roots-missing.yaml', 'tls.expectedRootsFile: cannot read roots file /nonexistent/roots.pem (ENOENT)'],
  ['idle-minimum-above-required.yaml', 'idle.minimumSeconds: must not be more than idle.requiredSeconds'],
  ['include-unknown.yaml', 'catalogue.include[0]: unknown category "telemetry" (one of health)'],
  ['password-file-missing.yaml', 'routes[0].credentials.passwordFile: cannot read password file /nonexistent/pw (ENOENT)'],
  ['credentials-unknown-scheme.yaml', 'routes[0].credentials.scheme: unknown scheme "kerberos" (one of auto, basic, negotiate, ntlm)'],
  ['credentials-ntlm-no-username.yaml', 'routes[0].credentials.username: scheme ntlm needs a username'],
  ['credentials-keytab-basic.yaml', 'routes[0].credentials.keytab: is for the negotiate scheme, not basic'],
  ['credentials-two-keytabs.yaml', 'routes[1].credentials.keytab: differs from another route\'s: Kerberos reads one client keytab per process'],
  ['credentials-bad-principal.yaml', 'routes[0].credentials.principal: must be name@REALM'],
];

describe('configuration errors', () => {
  it.each(BAD_FILES)('%s names the file, the key and the problem', (name, expected) => {
    const file = fixture(name);
    let error: unknown;
    try {
      buildPlan(loadConfig(file, {}), {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`${file}: ${expected}`);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never leaks a password from a proxy URL into the message', () => {
    let message = '';
    try {
      loadConfig(fixture('proxy-url-with-credentials.yaml'), {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain('pw');
  });

  it('the CLI prints one line and exits 2, without a stack trace', () => {
    const cli = join(__dirname, '..', '..', 'dist', 'agent', 'cli', 'main.js');
    const run = spawnSync(process.execPath, [cli, 'check', '--config', fixture('unknown-cloud.yaml')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('unknown-cloud.yaml: cloud: unknown cloud "mars"');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file is one line too', () => {
    expect(() => loadConfig('/nonexistent/agent.yaml', {})).toThrow('/nonexistent/agent.yaml: file not found');
  });
});

describe('defaults', () => {
  it('the embedded default probes the china catalogue directly every minute', () => {
    const config = loadConfig(DEFAULT_CONFIG_FILE, {});
    expect(config.cloud).toBe('china');
    expect(config.routes).toEqual([{ name: 'direct', bypass: [], revocation: 'winhttp', carries: 'all' }]);
    expect(config.probes).toMatchObject({ schedule: '* * * * *', timeoutSeconds: 10, concurrency: 8 });
    // The prerequisites' 6 minutes to pass, the article's 5 not to fail, holds on both sides of each.
    expect(config.idle).toMatchObject({ holdSeconds: [60, 150, 240, 330, 390], requiredSeconds: 360, minimumSeconds: 300, endpoint: 'adminwebservice' });
    expect(config.tls).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(config.catalogue.include).toEqual([]);
    expect(config.listen).toBe('0.0.0.0:9815');
  });

  it('HTTPS_PROXY and NO_PROXY make a proxy route when none is configured', () => {
    expect(routesFromEnvironment({ HTTPS_PROXY: 'http://fabrikamproxy:8080', NO_PROXY: 'crl.microsoft.com, .digicert.com' })).toEqual([
      { name: 'env-proxy', proxy: 'http://fabrikamproxy:8080', bypass: ['crl.microsoft.com', '.digicert.com'], revocation: 'winhttp', carries: 'all' },
    ]);
    const plan = buildPlan(parseConfig('cloud: china\n', 'x.yaml', { HTTPS_PROXY: 'http://fabrikamproxy:8080', NO_PROXY: '.digicert.com' }), {});
    const via = (id: string) => plan.targets.find((t) => t.endpoint.id === id)!.via;
    expect(via('login')).toBe('proxy');
    expect(via('digicert-crl3')).toBe('direct');
  });

  it('accepts node-cron six-field schedules with seconds', () => {
    expect(parseConfig('probes: {schedule: "*/15 * * * * *"}\n', 'x.yaml', {}).probes.schedule).toBe('*/15 * * * * *');
  });
});
