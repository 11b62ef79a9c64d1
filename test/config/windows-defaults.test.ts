// What the configuration means on Windows, decided without a Windows machine: the platform is a parameter.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { InputError } from '../../agent/errors.js';
import { buildPlan } from '../../agent/plan/plan.js';

describe('Windows defaults', () => {
  it('with no routes, Windows probes through this machine\'s machine.config, the way the sync engine does, and revocation through WinHTTP', () => {
    const config = parseConfig('cloud: china\n', 'agent.yaml', {}, 'win32');
    expect(config.routes).toEqual([
      { name: 'machine-config', machineConfig: 'default', bypass: [], revocation: 'winhttp', carries: 'all' },
      { name: 'winhttp', winhttp: 'registry', bypass: [], revocation: 'winhttp', carries: 'revocation' },
    ]);
    expect(parseConfig('cloud: china\n', 'agent.yaml', {}, 'linux').routes).toEqual([{ name: 'direct', bypass: [], revocation: 'winhttp', carries: 'all' }]);
    // HTTPS_PROXY adds a route there; it does not replace what the sync engine uses.
    expect(parseConfig('{}', 'a.yaml', { HTTPS_PROXY: 'http://proxy.test:3128' }, 'win32').routes?.map((r) => r.name)).toEqual(['machine-config', 'winhttp', 'env-proxy']);
  });

  it('machineConfig: default names %WINDIR%\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config on any platform', () => {
    const config = parseConfig('routes: [{name: mc, machineConfig: default}]\n', 'agent.yaml', {}, 'linux');
    expect(buildPlan(config, { windir: 'D:\\Win' }).routes[0]!.machineConfig?.path).toBe('D:\\Win\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config');
    const plan = buildPlan(config, {});
    expect(plan.routes[0]!.machineConfig?.path).toBe('C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config');
    // Off Windows that file is not there: a finding, as for the sync engine, and the route goes direct.
    expect(plan.routes[0]!.machineConfig?.findings.map((f) => f.code)).toContain('unreadable');
    expect(plan.routes[0]!.proxyUrl).toBeUndefined();
  });

  it('expands %NAME% in file paths on Windows (case-insensitively) and leaves them alone elsewhere', () => {
    const text = "routes: [{name: p, proxy: 'http://p:8080', credentials: {username: u, passwordFile: '%ProgramData%\\entra-connect-monitor\\pw'}}]\ntls: {caFile: '%programdata%\\ca.pem'}\n";
    const win = parseConfig(text, 'a.yaml', { PROGRAMDATA: 'C:\\ProgramData' }, 'win32');
    expect(win.routes?.[0]?.credentials?.passwordFile).toBe('C:\\ProgramData\\entra-connect-monitor\\pw');
    expect(win.tls.caFile).toBe('C:\\ProgramData\\ca.pem');
    expect(parseConfig(text, 'a.yaml', { PROGRAMDATA: 'C:\\ProgramData' }, 'linux').tls.caFile).toBe('%programdata%\\ca.pem');
    expect(parseConfig("tls: {caFile: '%NOPE%\\ca.pem'}\n", 'a.yaml', {}, 'win32').tls.caFile).toBe('%NOPE%\\ca.pem');
  });

  it('a Windows path in double quotes gets one line that says how to write it', () => {
    let error: unknown;
    try {
      parseConfig('tls:\n  caFile: "C:\\ProgramData\\ca.pem"\n', 'C:\\ProgramData\\entra-connect-monitor\\agent.yaml', {}, 'win32');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toMatch(/^C:\\ProgramData\\entra-connect-monitor\\agent\.yaml: line 2 column \d+: malformed YAML: .*single quotes/);
    expect(message).not.toContain('\n');
  });
});
