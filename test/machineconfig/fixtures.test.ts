import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../agent/config/catalogue.js';
import { diagnose } from '../../agent/machineconfig/diagnose.js';
import { MACHINE_CONFIG_FINDING_CODES } from '../../agent/machineconfig/findings.js';
import { loadMachineConfig } from '../../agent/machineconfig/read.js';
import { fixture } from './helpers.js';

const endpoints = loadCatalogue('china').endpoints;
const ARTICLE_REMEDY =
  'make sure that machine.config is correctly configured and that the Microsoft Entra ID Sync service has been restarted once after the machine.config file update';

describe('machine.config fixtures produce exactly the expected findings', () => {
  const cases: Array<[file: string, codes: string[]]> = [
    ['valid-with-proxy.config', []],
    ['missing-section.config', ['no_default_proxy']],
    ['bad-address.config', ['proxy_address_invalid']],
    ['bypass-catches-endpoint.config', ['bypass_catches_endpoint']],
    ['pac-script.config', ['pac_script']],
    ['malformed.config', ['malformed_xml']],
    ['disabled.config', ['proxy_disabled']],
  ];
  it.each(cases)('%s', (file, codes) => {
    const findings = diagnose(loadMachineConfig(fixture(file)), endpoints);
    expect(findings.map((f) => f.code)).toEqual(codes);
    for (const f of findings) {
      expect(MACHINE_CONFIG_FINDING_CODES).toContain(f.code);
      expect(f.remedy.toLowerCase()).toContain(ARTICLE_REMEDY.toLowerCase());
      expect(f.message).not.toMatch(/\n\s+at /); // no stack traces
    }
  });

  it('reads the Fabrikam proxy from the valid file', () => {
    const result = loadMachineConfig(fixture('valid-with-proxy.config'));
    expect(result.proxy).toEqual({
      path: fixture('valid-with-proxy.config'),
      enabled: true,
      useDefaultCredentials: true,
      proxyAddress: 'http://fabrikamproxy:8080',
      bypassOnLocal: false,
      bypassList: [],
      useSystemDefault: false,
    });
  });

  it('severities follow what breaks sync', () => {
    const severity = (file: string) => diagnose(loadMachineConfig(fixture(file)), endpoints)[0]?.severity;
    expect(severity('missing-section.config')).toBe('warning');
    expect(severity('bad-address.config')).toBe('error');
    expect(severity('disabled.config')).toBe('warning');
    expect(severity('bypass-catches-endpoint.config')).toBe('error');
    expect(severity('malformed.config')).toBe('error');
  });

  it('names the endpoint and the bypass entry that catches it', () => {
    const [finding] = diagnose(loadMachineConfig(fixture('bypass-catches-endpoint.config')), endpoints);
    expect(finding?.message).toContain('adminwebservice');
    expect(finding?.message).toContain('"adminwebservice\\.partner\\.microsoftonline\\.cn"');
    expect(finding?.message).toContain('skips the proxy');
  });

  it('gives the line and column of malformed XML', () => {
    const [finding] = loadMachineConfig(fixture('malformed.config')).findings;
    expect(finding?.message).toMatch(/at line 41, column 9/);
    expect(finding?.message).toContain("'proxy'");
  });

  it('says what the agent uses instead of the PAC script', () => {
    const [finding] = loadMachineConfig(fixture('pac-script.config')).findings;
    expect(finding?.message).toContain('http://wpad.fabrikam.local/proxy.pac');
    expect(finding?.message).toContain('uses the proxyaddress http://fabrikamproxy:8080');
  });

  it('warns about proxy settings in miiserver.exe.config, quoting the article', () => {
    const findings = diagnose(loadMachineConfig(fixture('valid-with-proxy.config')), endpoints, {
      miiserverConfigPath: fixture('miiserver.exe.config'),
    });
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['miiserver_config_proxy', 'warning']]);
    expect(findings[0]?.message).toContain('the miiserver.exe.config file is overwritten on every upgrade');
  });

  it('says nothing about a miiserver.exe.config without proxy settings, or one that is absent', () => {
    const result = loadMachineConfig(fixture('valid-with-proxy.config'));
    expect(diagnose(result, endpoints, { miiserverConfigPath: fixture('missing-section.config') })).toEqual([]);
    expect(diagnose(result, endpoints, { miiserverConfigPath: fixture('no-such-miiserver.exe.config') })).toEqual([]);
  });
});
