// The Linux service: systemd's own checker on the unit, and the settings an admin relies on.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ENV } from '../../bench/harness.js';

const DIR = join(__dirname, '..', '..', 'packaging', 'systemd');
const UNIT = readFileSync(join(DIR, 'entra-connect-monitor.service'), 'utf8');
const BINARY = '/usr/local/bin/entra-connect-monitor';

/**
 * systemd-analyze verify on a copy of `unit` whose ExecStart names an executable stub: verify insists the binary
 * exists, and this machine has the agent in its working tree, not installed. Nothing else in the unit changes.
 */
function verify(unit: string): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ecm-systemd-'));
  const stub = join(dir, 'entra-connect-monitor');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  const file = join(dir, 'entra-connect-monitor.service');
  writeFileSync(file, unit.replaceAll(BINARY, stub));
  return new Promise((resolve) => {
    execFile('systemd-analyze', ['verify', file], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

describe('packaging/systemd/entra-connect-monitor.service', () => {
  it('passes systemd-analyze verify with nothing to say', async () => {
    expect(UNIT).toContain(`ExecStart=${BINARY} run $ARGS`);
    expect(await verify(UNIT)).toEqual({ code: 0, output: '' });
  });

  it('sets the environment the bench measures the service footprint with', () => {
    for (const [key, value] of Object.entries(SERVICE_ENV)) expect(UNIT).toContain(`\nEnvironment=${key}=${value}\n`);
  });

  it('the check can fail: a misspelt key is reported', async () => {
    const { output } = await verify(UNIT.replace('ProtectHome=yes', 'ProtectHomes=yes'));
    expect(output).toMatch(/Unknown key '?ProtectHomes'?/);
  });

  it('runs as its own user with flags from /etc/default, reloads on HUP, restarts on failure, hardened', () => {
    const service = UNIT.slice(UNIT.indexOf('[Service]'), UNIT.indexOf('[Install]'));
    const keys = Object.fromEntries(service.split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(keys).toMatchObject({
      User: 'entra-connect-monitor',
      EnvironmentFile: '-/etc/default/entra-connect-monitor',
      ExecReload: '/bin/kill -HUP $MAINPID',
      Restart: 'on-failure',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      CapabilityBoundingSet: '',
    });
    expect(keys.ReadWritePaths).toBeUndefined(); // the agent writes nothing; logs go to the journal
    expect(keys.MemoryDenyWriteExecute).toBeUndefined(); // V8's JIT would not start
  });

  it('the default file sets ARGS as a shell would read it', async () => {
    const file = join(DIR, 'entra-connect-monitor.default');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `set -a; . "${file}"; printf '%s|%s' "\${ARGS-unset}" "\${HTTPS_PROXY-unset}"`], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(out).toBe('|unset');
  });
});
