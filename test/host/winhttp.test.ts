import { describe, expect, it } from 'vitest';
import { encodeWinHttpSettings, parseWinHttpSettings, winHttpGoesDirect, winHttpProxyFor, winHttpProxyUrl, WinHttpSettingsError } from '../../agent/host/winhttp.js';

// Bytes as `netsh winhttp set proxy` (WinHttpSetDefaultProxyConfiguration) writes them.
const DIRECT = '1800000000000000010000000000000000000000'; // Microsoft's documented "direct" value
const PROXY = '18000000000000000300000016000000' + Buffer.from('proxy.contoso.com:8080').toString('hex') + '00000000';
const PROXY_BYPASS =
  '18000000000000000300000016000000' + Buffer.from('proxy.contoso.com:8080').toString('hex') + '1d000000' + Buffer.from('<local>;*.contoso.com;127.1.*').toString('hex');

describe('WinHttpSettings bytes', () => {
  it('direct', () => {
    const s = parseWinHttpSettings(Buffer.from(DIRECT, 'hex'));
    expect(s).toMatchObject({ version: 0x18, counter: 0, flags: 1, direct: true, proxyServer: '', bypassList: '', proxies: [], bypass: [] });
    expect(winHttpProxyUrl(s)).toBeUndefined();
    expect(winHttpGoesDirect(s, new URL('http://crl.microsoft.com/x.crl'))).toBe(true);
  });

  it('a proxy without a bypass list', () => {
    const s = parseWinHttpSettings(Buffer.from(PROXY, 'hex'));
    expect(s).toMatchObject({ flags: 3, direct: false, proxyServer: 'proxy.contoso.com:8080', bypass: [] });
    expect(s.proxies).toEqual([{ host: 'proxy.contoso.com', port: 8080 }]);
    expect(winHttpProxyUrl(s)).toBe('http://proxy.contoso.com:8080');
    expect(winHttpGoesDirect(s, new URL('http://localhost/'))).toBe(false);
  });

  it('a proxy with a bypass list including <local>', () => {
    const s = parseWinHttpSettings(Buffer.from(PROXY_BYPASS, 'hex'));
    expect(s.bypass).toEqual(['<local>', '*.contoso.com', '127.1.*']);
    const direct = (u: string) => winHttpGoesDirect(s, new URL(u));
    expect(direct('http://intranet/')).toBe(true); // <local>: no dot
    expect(direct('http://app.contoso.com/')).toBe(true);
    expect(direct('http://127.1.2.3/')).toBe(true);
    expect(direct('http://crl.microsoft.com/pki/crl.crl')).toBe(false);
    expect(direct('https://login.partner.microsoftonline.cn/')).toBe(false);
    expect(direct('http://127.0.0.1/')).toBe(false); // an address is not a local name
  });

  it('encodes what it parses, as netsh lays it out', () => {
    expect(encodeWinHttpSettings().toString('hex')).toBe(DIRECT);
    expect(encodeWinHttpSettings('proxy.contoso.com:8080', '<local>;*.contoso.com;127.1.*').toString('hex')).toBe(PROXY_BYPASS);
  });

  it('per-scheme proxy lists, default port 80, bypass entries with scheme and port', () => {
    const s = parseWinHttpSettings(encodeWinHttpSettings('http=crlproxy:3128;https=https://webproxy:8443', 'http://*.local:80 ;legacy'));
    expect(winHttpProxyFor(s, 'http:')).toEqual({ scheme: 'http', host: 'crlproxy', port: 3128 });
    expect(winHttpProxyFor(s, 'https')).toEqual({ scheme: 'https', host: 'webproxy', port: 8443 });
    expect(winHttpProxyUrl(s)).toBe('http://crlproxy:3128');
    expect(winHttpGoesDirect(s, new URL('http://a.local/'))).toBe(true);
    expect(winHttpGoesDirect(s, new URL('https://a.local/'))).toBe(false);
    expect(parseWinHttpSettings(encodeWinHttpSettings('onlyhost')).proxies).toEqual([{ host: 'onlyhost', port: 80 }]);
  });

  it('flags 3 with an empty server list is direct; a length past the end is an error', () => {
    expect(parseWinHttpSettings(Buffer.from('180000000000000003000000' + '00000000' + '00000000', 'hex')).direct).toBe(true);
    expect(() => parseWinHttpSettings(Buffer.from('1800000000000000030000002000000041', 'hex'))).toThrow(WinHttpSettingsError);
    expect(() => parseWinHttpSettings(Buffer.from('1800', 'hex'))).toThrow(/shorter than its 12-byte header/);
  });
});
