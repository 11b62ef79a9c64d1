import { describe, expect, it } from 'vitest';
import { convertDotNetRegex } from '../../agent/machineconfig/dotnet-regex.js';
import { routeDecision } from '../../agent/machineconfig/route.js';
import type { MachineConfigProxy } from '../../agent/machineconfig/types.js';

function proxyWith(overrides: Partial<MachineConfigProxy> = {}): MachineConfigProxy {
  return {
    path: 'machine.config',
    enabled: true,
    useDefaultCredentials: true,
    proxyAddress: 'http://fabrikamproxy:8080',
    bypassOnLocal: false,
    bypassList: [],
    ...overrides,
  };
}

const route = (proxy: MachineConfigProxy, url: string) => routeDecision(proxy, new URL(url));

describe('routeDecision', () => {
  it('sends an ordinary endpoint through the proxy', () => {
    expect(route(proxyWith(), 'https://login.partner.microsoftonline.cn/')).toEqual({ via: 'proxy', proxy: 'http://fabrikamproxy:8080' });
  });

  it('goes direct when the proxy is disabled or has no address', () => {
    expect(route(proxyWith({ enabled: false }), 'https://login.partner.microsoftonline.cn/')).toMatchObject({ via: 'direct', why: expect.stringContaining('disabled') });
    expect(route(proxyWith({ proxyAddress: undefined }), 'https://login.partner.microsoftonline.cn/')).toMatchObject({ via: 'direct', why: expect.stringContaining('no usable proxy address') });
  });

  it('never proxies loopback, even without bypassonlocal', () => {
    for (const url of ['http://localhost:9090/', 'http://127.0.0.1/', 'http://127.10.0.1/', 'http://[::1]:8080/']) {
      expect(route(proxyWith(), url).via).toBe('direct');
    }
  });

  it('bypassonlocal sends hosts without a dot direct, and only those', () => {
    const local = proxyWith({ bypassOnLocal: true });
    expect(route(local, 'http://intranet/')).toMatchObject({ via: 'direct', why: expect.stringContaining('no dot') });
    expect(route(local, 'https://login.partner.microsoftonline.cn/').via).toBe('proxy');
    // An IP literal is not a dot-less name: .NET counts only the machine's own addresses as local (a documentation
    // prefix address; the function decides, nothing is sent).
    expect(route(local, 'http://[2001:db8::1]/').via).toBe('proxy');
    expect(route(proxyWith({ bypassOnLocal: false }), 'http://intranet/').via).toBe('proxy');
  });

  it('matches bypass entries case-insensitively and unanchored against scheme://host', () => {
    const proxy = proxyWith({ bypassList: ['PARTNER\\.microsoftonline\\.cn'] });
    expect(route(proxy, 'https://login.partner.microsoftonline.cn/path?q=1')).toEqual({
      via: 'direct',
      why: 'the bypass entry "PARTNER\\.microsoftonline\\.cn" matches "https://login.partner.microsoftonline.cn"',
    });
    expect(route(proxy, 'https://login.chinacloudapi.cn/').via).toBe('proxy');
  });

  it('adds the port to the matched text only when it is not the default, as .NET does', () => {
    const withPort = proxyWith({ bypassList: [':8443$'] });
    expect(route(withPort, 'https://portal.fabrikam.com:8443/').via).toBe('direct');
    expect(route(withPort, 'https://portal.fabrikam.com/').via).toBe('proxy');
    const anchoredHost = proxyWith({ bypassList: ['^https://portal\\.fabrikam\\.com$'] });
    expect(route(anchoredHost, 'https://portal.fabrikam.com:443/').via).toBe('direct');
    expect(route(anchoredHost, 'https://portal.fabrikam.com:444/').via).toBe('proxy');
  });

  it('lets the scheme be part of a bypass entry', () => {
    const proxy = proxyWith({ bypassList: ['^http://'] });
    expect(route(proxy, 'http://crl.microsoft.com/').via).toBe('direct');
    expect(route(proxy, 'https://login.partner.microsoftonline.cn/').via).toBe('proxy');
  });

  it('skips bypass entries it cannot compile instead of failing', () => {
    const proxy = proxyWith({ bypassList: ['*.fabrikam.com', '(?>atomic)', 'fabrikam\\.com$'] });
    expect(route(proxy, 'https://www.fabrikam.com/').via).toBe('direct');
    expect(route(proxy, 'https://login.partner.microsoftonline.cn/').via).toBe('proxy');
  });
});

describe('convertDotNetRegex', () => {
  const matches = (pattern: string, text: string) => {
    const conversion = convertDotNetRegex(pattern);
    if (!conversion.ok) throw new Error(`did not convert: ${conversion.problem}`);
    return conversion.regex.test(text);
  };

  it('translates .NET-only anchors, escapes, groups and inline options', () => {
    expect(matches('\\Ahttps://', 'https://a.b')).toBe(true);
    expect(matches('\\Ahttps://', 'xhttps://a.b')).toBe(false);
    expect(matches('\\.cn\\z', 'https://a.cn')).toBe(true);
    expect(matches("(?'sub'[a-z]+)\\.fabrikam\\k'sub'", 'https://www.fabrikamwww')).toBe(true);
    expect(matches('(?i)FABRIKAM', 'https://fabrikam.com')).toBe(true);
    expect(matches('(?s:fab)rikam', 'https://fabrikam.com')).toBe(true);
    expect(matches('fab(?#a comment)rikam', 'https://fabrikam.com')).toBe(true);
    expect(matches('[]a]', 'https://]')).toBe(true); // "]" first in a class is a literal in .NET
    expect(matches('fabrikam\\.com\\/?', 'https://fabrikam.com')).toBe(true); // escaped punctuation passes through
  });

  it('reports what .NET refuses as invalid', () => {
    for (const pattern of ['*.fabrikam.com', 'fabrikam\\', '[a-z', '(unclosed', '\\q', '\\_', '\\x4']) {
      expect(convertDotNetRegex(pattern)).toMatchObject({ ok: false, unsupported: false });
    }
  });

  it('reports .NET constructs JavaScript lacks as unsupported, not invalid', () => {
    for (const pattern of ['(?>atomic)', '[a-z-[aeiou]]', '\\p{L}+', '(?x) a b', '\\Gx', '(?(a)b|c)', '(?-i:A)']) {
      expect(convertDotNetRegex(pattern)).toMatchObject({ ok: false, unsupported: true });
    }
  });
});
