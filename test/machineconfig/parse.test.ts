import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../agent/machineconfig/diagnose.js';
import { parseMachineConfig } from '../../agent/machineconfig/parse.js';
import { defaultMachineConfigPath } from '../../agent/machineconfig/paths.js';
import { loadMachineConfig } from '../../agent/machineconfig/read.js';
import { toEndpoint } from '../../agent/config/catalogue.js';
import { fixture, machineConfig } from './helpers.js';

const parse = (systemNet?: string) => parseMachineConfig(machineConfig(systemNet), 'machine.config');
const codes = (systemNet?: string) => parse(systemNet).findings.map((f) => f.code);

describe('parseMachineConfig', () => {
  it('accepts attribute and element names in any case, but reports the spelling .NET refuses', () => {
    const result = parse('<DefaultProxy UseDefaultCredentials="TRUE"><proxy ProxyAddress="http://fabrikamproxy:8080" BYPASSONLOCAL="True"/></DefaultProxy>');
    expect(result.proxy).toMatchObject({ useDefaultCredentials: true, proxyAddress: 'http://fabrikamproxy:8080', bypassOnLocal: true });
    expect(result.findings.map((f) => f.code)).toEqual(['name_case', 'name_case', 'name_case', 'name_case']);
    expect(result.findings.map((f) => f.message).join(' ')).toContain('"ProxyAddress" on <proxy> should be spelt "proxyaddress"');
  });

  it('applies the defaults: enabled, no default credentials, no bypass on local', () => {
    const result = parse('<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/></defaultProxy>');
    expect(result.findings).toEqual([]);
    expect(result.proxy).toEqual({
      path: 'machine.config',
      enabled: true,
      useDefaultCredentials: false,
      proxyAddress: 'http://fabrikamproxy:8080',
      bypassOnLocal: false,
      bypassList: [],
    });
  });

  it('normalises the proxy address to http://host:port and drops credentials', () => {
    expect(parse('<defaultProxy><proxy proxyaddress="HTTP://FabrikamProxy"/></defaultProxy>').proxy?.proxyAddress).toBe('http://fabrikamproxy:80');
    expect(parse('<defaultProxy><proxy proxyaddress="http://u:p@fabrikamproxy:3128/"/></defaultProxy>').proxy?.proxyAddress).toBe('http://fabrikamproxy:3128');
  });

  it('rejects proxy addresses that are not absolute http:// URIs, without echoing a password', () => {
    for (const address of ['fabrikamproxy:8080', '10.0.0.5:8080', 'https://fabrikamproxy:8443', 'ftp://fabrikamproxy']) {
      expect(codes(`<defaultProxy><proxy proxyaddress="${address}"/></defaultProxy>`)).toEqual(['proxy_address_invalid']);
    }
    const [finding] = parse('<defaultProxy><proxy proxyaddress="https://admin:hunter2@fabrikamproxy:8443"/></defaultProxy>').findings;
    expect(finding?.message).not.toContain('hunter2');
  });

  it('reports a section that sets a bypass list but no proxy address', () => {
    expect(codes('<defaultProxy><bypasslist><add address="fabrikam\\.com$"/></bypasslist></defaultProxy>')).toEqual(['proxy_address_invalid']);
    expect(codes('<defaultProxy><proxy usesystemdefault="false"/></defaultProxy>')).toEqual(['proxy_address_invalid']);
  });

  it('treats an empty <defaultProxy> like a missing one, as .NET does', () => {
    expect(codes('<defaultProxy/>')).toEqual(['no_default_proxy']);
    expect(codes('<defaultProxy useDefaultCredentials="true"><proxy/></defaultProxy>')).toEqual(['no_default_proxy']);
    expect(codes('')).toEqual(['no_default_proxy']);
    expect(codes(undefined)).toEqual(['no_default_proxy']);
  });

  it('reports WinINET, WPAD and PAC settings, saying what the agent uses instead', () => {
    const systemDefault = parse('<defaultProxy><proxy usesystemdefault="true"/></defaultProxy>');
    expect(systemDefault.findings.map((f) => f.code)).toEqual(['use_system_default']);
    expect(systemDefault.findings[0]?.message).toContain('a direct connection');
    const autoDetect = parse('<defaultProxy><proxy autoDetect="true" proxyaddress="http://fabrikamproxy:8080"/></defaultProxy>');
    expect(autoDetect.findings.map((f) => f.code)).toEqual(['auto_detect']);
    expect(autoDetect.findings[0]?.message).toContain('uses the proxyaddress http://fabrikamproxy:8080');
    expect(autoDetect.proxy?.autoDetect).toBe(true);
    expect(codes('<defaultProxy><proxy autoDetect="false" proxyaddress="http://fabrikamproxy:8080"/></defaultProxy>')).toEqual([]);
    expect(codes('<defaultProxy><proxy scriptLocation="http://wpad/wpad.dat"/></defaultProxy>')).toEqual(['pac_script']);
  });

  it('applies <add>, <remove> and <clear/> in file order', () => {
    const result = parse(
      '<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/><bypasslist>' +
        '<add address="one"/><clear/><add address="two"/><add address="three"/><remove address="two"/><add address="three"/>' +
        '</bypasslist></defaultProxy>',
    );
    expect(result.proxy?.bypassList).toEqual(['three']);
    expect(result.findings).toEqual([]);
  });

  it('reports bypass list elements spelt in another case, and still applies them', () => {
    const result = parse('<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/><bypasslist><Add address="one"/><CLEAR/><Add address="two"/></bypasslist></defaultProxy>');
    expect(result.proxy?.bypassList).toEqual(['two']);
    expect(result.findings.map((f) => f.code)).toEqual(['name_case', 'name_case', 'name_case']);
  });

  it('reports a bypass entry that is a wildcard rather than a regular expression', () => {
    const result = parse('<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/><bypasslist><add address="*.fabrikam.com"/></bypasslist></defaultProxy>');
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([['bypass_entry_invalid', 'error']]);
    expect(result.findings[0]?.remedy).toContain('not wildcards');
  });

  it('reports values and names .NET refuses', () => {
    expect(codes('<defaultProxy enabled="yes"><proxy proxyaddress="http://fabrikamproxy:8080"/></defaultProxy>')).toEqual(['invalid_setting']);
    expect(codes('<defaultProxy><proxy proxyadress="http://fabrikamproxy:8080"/></defaultProxy>')).toEqual(['invalid_setting', 'no_default_proxy']);
    expect(codes('<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/><bypasslist><add/></bypasslist></defaultProxy>')).toEqual(['invalid_setting']);
    expect(codes('<defaultProxy><proxy proxyaddress="http://a:1"/></defaultProxy><defaultProxy/>')).toEqual(['invalid_setting']);
  });

  it('still reports settings .NET refuses when the proxy is disabled', () => {
    expect(codes('<defaultProxy enabled="false" useDefaultcredentials="true"/>')).toEqual(['name_case', 'proxy_disabled']);
  });

  it('reports a file whose top element is not <configuration>', () => {
    expect(parseMachineConfig('<settings/>', 'x.config').findings.map((f) => f.code)).toEqual(['not_machine_config']);
  });

  it('reports empty text and text with two top elements as malformed', () => {
    expect(parseMachineConfig('', 'x.config').findings.map((f) => f.code)).toEqual(['malformed_xml']);
    expect(parseMachineConfig('<configuration/><configuration/>', 'x.config').findings.map((f) => f.code)).toEqual(['malformed_xml']);
  });
});

describe('loadMachineConfig', () => {
  it('turns a missing file into an unreadable finding', () => {
    const result = loadMachineConfig(fixture('no-such-machine.config'));
    expect(result.proxy).toBeUndefined();
    expect(result.findings.map((f) => [f.code, f.severity])).toEqual([['unreadable', 'error']]);
    expect(result.findings[0]?.message).toContain('there is no such file');
  });

  it('turns a folder into an unreadable finding', () => {
    expect(loadMachineConfig(tmpdir()).findings[0]?.message).toContain('folder');
  });

  it('reads UTF-16 files with a byte order mark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'machineconfig-'));
    const file = join(dir, 'machine.config');
    const text = machineConfig('<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/></defaultProxy>').replace('UTF-8', 'UTF-16');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(loadMachineConfig(file).proxy?.proxyAddress).toBe('http://fabrikamproxy:8080');
  });
});

describe('defaultMachineConfigPath', () => {
  it('expands %windir% from the environment, in any case', () => {
    expect(defaultMachineConfigPath({ windir: 'D:\\WINNT' })).toBe('D:\\WINNT\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config');
    expect(defaultMachineConfigPath({ WINDIR: 'E:\\Windows' })).toBe('E:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config');
    expect(defaultMachineConfigPath({})).toBe('C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config');
  });
});

describe('diagnose', () => {
  const endpoint = (id: string, url: string, pattern: string, required = true) =>
    toEndpoint({ id, url, pattern, description: '', category: 'directory', exports: false, required }, 'china');

  it('sees a bypass of a whole wildcard domain through the pattern, and is milder for optional endpoints', () => {
    const result = parse('<defaultProxy><proxy proxyaddress="http://fabrikamproxy:8080"/><bypasslist><add address="^https://partner\\.microsoftonline\\.cn$"/></bypasslist></defaultProxy>');
    const findings = diagnose(result, [
      endpoint('login', 'https://login.partner.microsoftonline.cn/', '*.partner.microsoftonline.cn'),
      endpoint('optional', 'https://other.partner.microsoftonline.cn/', '*.partner.microsoftonline.cn', false),
      endpoint('graph', 'https://graph.chinacloudapi.cn/', '*.graph.chinacloudapi.cn'),
    ]);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ['bypass_catches_endpoint', 'error'],
      ['bypass_catches_endpoint', 'warning'],
    ]);
    expect(findings[0]?.message).toContain('endpoint login');
  });

  it('finds nothing to say about endpoints when the proxy is disabled', () => {
    const result = parse('<defaultProxy enabled="false"><proxy proxyaddress="http://fabrikamproxy:8080"/><bypasslist><add address=".*"/></bypasslist></defaultProxy>');
    expect(diagnose(result, [endpoint('login', 'https://login.partner.microsoftonline.cn/', '*.partner.microsoftonline.cn')]).map((f) => f.code)).toEqual(['proxy_disabled']);
  });
});
