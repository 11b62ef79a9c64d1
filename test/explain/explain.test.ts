import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../agent/config/catalogue.js';
import { REMEDIES } from '../../agent/probes/classify.js';
import { explainEntries, type ExplainEntry } from '../../agent/explain/entries.js';
import { type CheckRunner, matchSymptom, normalise, runExplainCommand } from '../../agent/explain/explain.js';
import { isCheckName } from '../../agent/run/checks/names.js';

// The article's cloud, as the command uses without --config.
const EXPLAIN_ENTRIES = explainEntries();

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[], runChecks?: CheckRunner): Promise<{ code: number; out: string; err: string }> {
  const out = new Sink();
  const err = new Sink();
  const code = await runExplainCommand(argv, out, err, runChecks);
  return { code, out: out.text, err: err.text };
}

const ids = (text: string) => matchSymptom(text).map((e) => e.id);
const entry = (id: string): ExplainEntry => {
  const e = EXPLAIN_ENTRIES.find((x) => x.id === id);
  if (!e) throw new Error(`no entry ${id}`);
  return e;
};

// For every entry: a partial, case-changed or differently punctuated form an admin might type.
const PARTIAL_FORMS: Record<string, string> = {
  'wizard-not-configured': 'INSTALLATION WIZARD hasnt been correctly',
  'microsoft-account': 'Microsoft ACCOUNT',
  'mfa-endpoint-unreachable': 'the mfa endpoint',
  'password-not-verified': 'Password can’t be VERIFIED',
  'invalid-grant': 'invalid_grant',
  'unknown-user-type': 'unknown user',
  'user-realm-discovery-failed': 'realm',
  'user-password-expired': 'PASSWORD EXPIRED',
  'authorization-failure': 'authorization',
  'authentication-canceled': 'Authentication cancelled',
  'connect-msonline-failed': 'msonline',
  'pim-enabled': 'PIM',
  'company-information-unavailable': 'company info',
  'domain-information-unavailable': 'Domain Information',
  'unspecified-authentication-failure': 'Unexpected Error',
  'proxy-forbidden': 'HTTP 403',
  'proxy-auth-required': '407',
  'unable-to-connect': 'unable to connect',
  'proxy-idle-timeout': 'idle timeout',
  'signin-assistant': 'Sign-In Assistant',
  'tls-inspection': 'SSL inspection',
};

describe('EXPLAIN_ENTRIES', () => {
  it('covers every error and symptom the article names, once each', () => {
    const titles = EXPLAIN_ENTRIES.map((e) => e.title);
    for (const t of [
      "The installation wizard hasn't been correctly configured",
      'A Microsoft account is used',
      "The MFA endpoint can't be reached",
      "The password can't be verified",
      'Invalid grant',
      'Unknown user type',
      'User realm discovery failed',
      'User password expired',
      'Authorization failure',
      'Authentication canceled',
      'Connect to MSOnline failed',
      'Privileged Identity Management enabled',
      'Company information unavailable',
      'Domain information unavailable',
      'Unspecified authentication failure',
      '403 Forbidden',
      '407 Proxy Authentication Required',
      'Unable to connect to the remote server',
      "The sign-in assistant isn't configured correctly",
    ]) {
      expect(titles).toContain(t);
    }
    expect(titles.some((t) => /idle timeout/i.test(t))).toBe(true);
    expect(titles).toContain('TLS inspection of Microsoft Entra traffic');
    expect(new Set(EXPLAIN_ENTRIES.map((e) => e.id)).size).toBe(EXPLAIN_ENTRIES.length);
  });

  it('names only checks from the closed set, and endpoint checks name ids every cloud catalogue has', () => {
    const catalogues = (['china', 'global', 'usgov'] as const).map((c) => loadCatalogue(c));
    for (const e of EXPLAIN_ENTRIES) {
      for (const c of e.checks) {
        expect(isCheckName(c), `${e.id}: ${c}`).toBe(true);
        if (c.startsWith('endpoint:')) {
          const id = c.slice('endpoint:'.length);
          for (const cat of catalogues) expect(cat.endpoints.map((x) => x.id), `${cat.cloud} lacks ${id}`).toContain(id);
        }
      }
    }
    expect(isCheckName('ping')).toBe(false);
    expect(isCheckName('endpoint:')).toBe(false);
  });

  it('network-checkable entries name checks; the others name none and say what to check by hand', () => {
    for (const e of EXPLAIN_ENTRIES) {
      if (e.networkCheckable) expect(e.checks.length, e.id).toBeGreaterThan(0);
      else {
        expect(e.checks, e.id).toEqual([]);
        expect(e.manualChecks?.length ?? 0, e.id).toBeGreaterThan(0);
      }
      expect(e.meaning, e.id).not.toBe('');
      expect(e.remedy, e.id).not.toBe('');
      expect(e.causes.length, e.id).toBeGreaterThan(0);
    }
    for (const id of [
      'invalid-grant',
      'user-password-expired',
      'authorization-failure',
      'pim-enabled',
      'authentication-canceled',
      'connect-msonline-failed',
      'company-information-unavailable',
      'domain-information-unavailable',
    ]) {
      expect(entry(id).networkCheckable, id).toBe(false);
    }
  });

  it('maps the errors the probes classify to their checks', () => {
    expect(entry('mfa-endpoint-unreachable').checks).toContain('endpoint:mfa-aadcdn');
    expect(entry('user-realm-discovery-failed').checks).toContain('signin_discovery');
    expect(entry('unknown-user-type').checks).toEqual(['signin_discovery']);
    expect(entry('proxy-idle-timeout').checks).toEqual(['idle']);
    expect(entry('wizard-not-configured').checks).toEqual(['machine_config', 'proxy_reachable', 'connectivity_test']);
    expect(entry('proxy-forbidden').checks).toContain('endpoints');
  });

  it('uses the failure reasons’ remedies where they are the same advice', () => {
    expect(entry('proxy-forbidden').remedy).toBe(REMEDIES.proxy_denied);
    expect(entry('proxy-auth-required').remedy).toBe(REMEDIES.proxy_auth_required);
    expect(entry('unable-to-connect').remedy).toBe(REMEDIES.connect_failed);
    expect(entry('proxy-idle-timeout').remedy).toBe(REMEDIES.idle_tunnel_closed);
  });

  it('quotes the article for the wizard errors', () => {
    expect(entry('wizard-not-configured').remedy).toContain('verify that the machine.config file is correctly configured');
    expect(entry('mfa-endpoint-unreachable').remedy).toContain('has been added to the proxy');
    expect(entry('password-not-verified').remedy).toContain('Is the password a temporary password that must be changed?');
    expect(entry('signin-assistant').remedy).toContain('look at the proxy configuration in netsh');
  });
});

describe('normalise', () => {
  it('lower-cases, drops quotes and apostrophes, turns other punctuation into single spaces', () => {
    expect(normalise('  The password CAN’T be "verified"!! ')).toBe('the password cant be verified');
    expect(normalise('invalid_grant; (407)  Proxy-Auth')).toBe('invalid grant 407 proxy auth');
  });
});

describe('matchSymptom', () => {
  it.each(EXPLAIN_ENTRIES.map((e) => [e.id, e.title] as const))('%s: its title matches it first', (id, title) => {
    expect(ids(title)[0]).toBe(id);
    expect(ids(title.toUpperCase())[0]).toBe(id);
  });

  it.each(Object.entries(PARTIAL_FORMS))('%s: a partial form "%s" matches it', (id, text) => {
    expect(ids(text)).toContain(id);
  });

  it('has a partial form for every entry', () => {
    expect(Object.keys(PARTIAL_FORMS).sort()).toEqual(EXPLAIN_ENTRIES.map((e) => e.id).sort());
  });

  it('the TLS inspection entry carries the prerequisites\' words and the tls_intercepted remedy', () => {
    const e = EXPLAIN_ENTRIES.find((x) => x.id === 'tls-inspection')!;
    expect(e.meaning).toContain("It isn't supported to break and analyze traffic between Microsoft Entra Connect and Microsoft Entra ID. Doing so could disrupt the service.");
    expect(e.remedy).toContain('Exclude the Microsoft Entra endpoints from TLS inspection');
    expect(ids('reason tls_intercepted on adminwebservice')[0]).toBe('tls-inspection');
  });

  it('finds the error inside a longer line, best first', () => {
    expect(
      ids('Invoke-WebRequest : The remote server returned an error: (407) Proxy Authentication Required.')[0],
    ).toBe('proxy-auth-required');
    expect(ids('Invoke-WebRequest : Unable to connect to the remote server')[0]).toBe('unable-to-connect');
    expect(ids('Error: The MFA endpoint can\'t be reached. Contact your admin')[0]).toBe('mfa-endpoint-unreachable');
  });

  it('returns every match when the text is ambiguous', () => {
    const found = ids('password');
    expect(found).toEqual(expect.arrayContaining(['password-not-verified', 'user-password-expired', 'invalid-grant']));
    expect(found).not.toContain('proxy-forbidden');
  });

  it('matches numbers and short names on word boundaries only', () => {
    expect(ids('x403y')).toEqual([]);
    expect(ids('error 14070')).toEqual([]);
    expect(ids('pimple')).toEqual([]);
  });

  it('matches nothing for unknown text, empty text or only filler words', () => {
    expect(matchSymptom('xyzzy frobnicated')).toEqual([]);
    expect(matchSymptom('')).toEqual([]);
    expect(matchSymptom('  !!  ')).toEqual([]);
    expect(matchSymptom('the error')).toEqual([]);
  });
});

describe('runExplainCommand', () => {
  it('prints meaning, causes, remedy and checks, and exits 0', async () => {
    const r = await run(['unable to connect']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Unable to connect to the remote server');
    expect(r.out).toContain('What it means:');
    expect(r.out).toContain('Likely causes:');
    expect(r.out).toContain(`Remedy (from the article): ${REMEDIES.connect_failed}`);
    expect(r.out).toContain('machine_config, proxy_reachable, connectivity_test');
    expect(r.err).toBe('');
  });

  it('says plainly when no network check can show the error, and what to check by hand', async () => {
    const r = await run(['Privileged Identity Management enabled']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No network check can show this error');
    expect(r.out).toContain('Check by hand:');
    expect(r.out).toContain('Hybrid Identity Administrator');
  });

  it('accepts the text as several words without quotes', async () => {
    const r = await run(['user', 'realm', 'discovery', 'failed']);
    expect(r.code).toBe(0);
    expect(r.out.startsWith('User realm discovery failed')).toBe(true);
  });

  it('exits 2 for unknown text and lists every known name', async () => {
    const r = await run(['xyzzy frobnicated']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('nothing known matches "xyzzy frobnicated"');
    for (const e of EXPLAIN_ENTRIES) expect(r.err).toContain(e.title);
  });

  it('exits 2 without a stack trace for bad usage', async () => {
    for (const argv of [[], ['--bogus', 'x'], ['   ']]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain('usage: entra-connect-monitor explain');
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('--help prints usage and the known names, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage:');
    expect(r.out).toContain('Invalid grant');
  });

  it('--run hands the matched checks to the runner and exits 0 when all pass', async () => {
    const calls: string[][] = [];
    const runner: CheckRunner = async (checks) => {
      calls.push(checks);
      return checks.map((check) => ({ check, ok: true, summary: `${check} fine` }));
    };
    const r = await run(['Unable to connect to the remote server', '--run'], runner);
    expect(calls).toEqual([['machine_config', 'proxy_reachable', 'connectivity_test']]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok\s+machine_config\s+machine_config fine/);
    expect(r.out).toContain('All checks passed.');
  });

  it('--run exits 1 and marks the failed check when one fails', async () => {
    const runner: CheckRunner = async (checks) =>
      checks.map((check) => ({ check, ok: check !== 'connectivity_test', summary: check === 'connectivity_test' ? '407 from proxy' : 'ok' }));
    const r = await run(['407', '--run'], runner);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+connectivity_test\s+407 from proxy/);
    expect(r.out).toContain('1 of 2 checks failed.');
  });

  it('--run asks for the union of the matched entries’ checks, each once', async () => {
    const calls: string[][] = [];
    const runner: CheckRunner = async (checks) => {
      calls.push(checks);
      return checks.map((check) => ({ check, ok: true, summary: '' }));
    };
    const r = await run(['--run', '407 Proxy Authentication Required / Unable to connect to the remote server'], runner);
    expect(r.code).toBe(0);
    expect(calls).toHaveLength(1);
    expect([...(calls[0] ?? [])].sort()).toEqual(['connectivity_test', 'machine_config', 'proxy_reachable']);
  });

  it('--run counts a check without a verdict as failed, and a runner that throws as exit 1', async () => {
    const partial = await run(['idle timeout', '--run'], async () => []);
    expect(partial.code).toBe(1);
    expect(partial.out).toMatch(/FAIL\s+idle\s+no verdict/);
    const thrown = await run(['idle timeout', '--run'], async () => {
      throw new Error('proxy config missing\nmore');
    });
    expect(thrown.code).toBe(1);
    expect(thrown.err).toBe('explain: the checks could not run: proxy config missing\n');
  });

  it('--run does not call the runner when no network check applies', async () => {
    let called = false;
    const r = await run(['invalid grant', '--run'], async () => {
      called = true;
      return [];
    });
    expect(called).toBe(false);
    expect(r.code).toBe(0);
    expect(r.out).toContain('No network check tests this error');
  });

  it('--run without a runner prints that checks are unavailable and exits 2', async () => {
    const r = await run(['403', '--run']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('checks are unavailable');
  });

  it('--json prints the query, the matched entries and their checks', async () => {
    const r = await run(['realm', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { query: string; matches: ExplainEntry[]; checks: string[] };
    expect(doc.query).toBe('realm');
    expect(doc.matches.map((m) => m.id)).toEqual(['user-realm-discovery-failed']);
    expect(doc.matches[0]).toEqual(entry('user-realm-discovery-failed'));
    expect(doc.checks).toEqual(entry('user-realm-discovery-failed').checks);
  });

  it('--json --run adds the verdicts and ok', async () => {
    const runner: CheckRunner = async (checks) => checks.map((check) => ({ check, ok: false, summary: 'closed after 120 s' }));
    const r = await run(['idle timeout', '--json', '--run'], runner);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { results: Array<{ check: string; ok: boolean; summary: string }>; ok: boolean };
    expect(doc.results).toEqual([{ check: 'idle', ok: false, summary: 'closed after 120 s' }]);
    expect(doc.ok).toBe(false);
  });

  it('--json with no match prints the known names as JSON and exits 2', async () => {
    const r = await run(['xyzzy', '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { matches: unknown[]; known: Array<{ id: string; title: string }> };
    expect(doc.matches).toEqual([]);
    expect(doc.known.map((k) => k.id)).toEqual(EXPLAIN_ENTRIES.map((e) => e.id));
  });
});
