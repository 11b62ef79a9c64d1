import { describe, expect, it } from 'vitest';
import { hostAndPort } from '../../agent/proxylog/record.js';
import { parseSquidLine } from '../../agent/proxylog/formats/squid.js';
import { parseClfLine, parseClfTime } from '../../agent/proxylog/formats/clf.js';
import { w3cParser } from '../../agent/proxylog/formats/w3c.js';
import { detectFormat } from '../../agent/proxylog/detect.js';

describe('hostAndPort', () => {
  it.each([
    ['login.partner.microsoftonline.cn:443', 'login.partner.microsoftonline.cn', 443],
    ['connect://bba800-anchor.partner.microsoftonline.cn:443', 'bba800-anchor.partner.microsoftonline.cn', 443],
    ['http://crl3.digicert.com/Omniroot2025.crl', 'crl3.digicert.com', 80],
    ['https://user:pw@Login.MicrosoftOnline.com./x?y', 'login.microsoftonline.com', 443],
    ['[::1]:8443', '::1', 8443],
    ['/relative/path', '', undefined],
  ])('%s', (target, host, port) => {
    expect(hostAndPort(target)).toEqual({ host, port });
  });
});

describe('squid native format', () => {
  it('reads a tunnel with its duration and user', () => {
    const r = parseSquidLine(
      '1700000000.123  20748 127.0.0.1 TCP_TUNNEL/200 3138 CONNECT login.partner.microsoftonline.cn:443 - HIER_DIRECT/127.0.0.2 -',
    );
    expect(r).toMatchObject({ loggedAtMs: 1700000000123, durationMs: 20748, status: 200, method: 'CONNECT', host: 'login.partner.microsoftonline.cn', port: 443, deniedByProxy: false });
  });

  it('marks TCP_DENIED as the proxy deny action', () => {
    expect(parseSquidLine('1700000000.123 0 10.0.0.1 TCP_DENIED/403 3900 CONNECT a.b:443 - HIER_NONE/- text/html')?.deniedByProxy).toBe(true);
  });

  it('rejects what is not squid', () => {
    expect(parseSquidLine('10.3.0.9 - - [11/Jan/2016:08:31:02 +0800] "GET / HTTP/1.1" 200 5')).toBeUndefined();
    expect(parseSquidLine('1700000000.123 0 10.0.0.1 TCP_TUNNEL/2')).toBeUndefined();
    expect(parseSquidLine('   ')).toBeNull();
  });
});

describe('common and combined formats', () => {
  it('reads the time zone', () => {
    expect(parseClfTime('11/Jan/2016:08:31:02 +0800')).toBe(Date.UTC(2016, 0, 11, 0, 31, 2));
  });

  it('reads a combined line with squid\'s trailing action', () => {
    const r = parseClfLine('10.3.0.9 - - [11/Jan/2016:08:31:03 +0800] "CONNECT adminwebservice.partner.microsoftonline.cn:443 HTTP/1.1" 403 3900 "-" "agent" TCP_DENIED:HIER_NONE');
    expect(r).toMatchObject({ client: '10.3.0.9', status: 403, method: 'CONNECT', host: 'adminwebservice.partner.microsoftonline.cn', deniedByProxy: true });
    expect(r?.durationMs).toBeUndefined();
  });
});

describe('W3C extended format', () => {
  it('follows the #Fields: header in any order, with cs-host and cs-uri-port', () => {
    const parser = w3cParser();
    expect(parser.parse('#Fields: cs-uri-port sc-status cs-host c-ip time-taken time date cs-method')).toBeNull();
    expect(parser.parse('443 200 login.microsoftonline.com 10.0.0.8 120000 10:02:01 2024-03-05 CONNECT')).toMatchObject({
      host: 'login.microsoftonline.com',
      port: 443,
      status: 200,
      client: '10.0.0.8',
      durationMs: 120000,
      loggedAtMs: Date.UTC(2024, 2, 5, 10, 2, 1),
      method: 'CONNECT',
    });
  });

  it('reads TMG tab-separated lines with connect:// in cs-uri and TMG status numbers', () => {
    const parser = w3cParser();
    parser.parse('#Fields: c-ip date time r-host r-port time-taken s-operation cs-uri sc-status action');
    const r = parser.parse(['10.1.1.20', '2016-01-11', '09:00:02', '-', '-', '15', '-', 'connect://login.partner.microsoftonline.cn:443', '12209', 'Denied'].join('\t'));
    expect(r).toMatchObject({ host: 'login.partner.microsoftonline.cn', port: 443, method: 'CONNECT', status: 407 });
    const denied = parser.parse(['10.1.1.20', '2016-01-11', '09:00:02', 'a.b', '443', '15', 'CONNECT', 'a.b:443', '12202', 'Denied'].join('\t'));
    expect(denied).toMatchObject({ status: 403, deniedByProxy: true, host: 'a.b' });
  });

  it('uses r-host/r-port when there is no cs-host', () => {
    const parser = w3cParser();
    parser.parse('#Fields: date time c-ip r-host r-port sc-status cs-method');
    expect(parser.parse('2016-01-11 08:31:02 10.0.0.1 Login.Partner.MicrosoftOnline.cn 443 200 CONNECT')).toMatchObject({ host: 'login.partner.microsoftonline.cn', port: 443 });
  });

  it('keeps ProxySG quoted values with spaces as one field', () => {
    const parser = w3cParser();
    parser.parse('#Fields: date time c-ip cs(User-Agent) sc-status cs-method cs-host');
    expect(parser.parse('2024-03-05 10:00:01 10.2.0.15 "Mozilla/5.0 (Windows NT)" 407 CONNECT login.microsoftonline.com')).toMatchObject({ status: 407, host: 'login.microsoftonline.com' });
  });

  it('a data line before any #Fields: fits nothing', () => {
    expect(w3cParser().parse('2024-03-05 10:00:01 10.2.0.15 407 CONNECT login.microsoftonline.com')).toBeUndefined();
  });
});

describe('format detection', () => {
  it('picks the format that fits the first lines', () => {
    expect(detectFormat(['1700000000.123 5 10.0.0.1 TCP_TUNNEL/200 1 CONNECT a.b:443 - HIER_DIRECT/1.2.3.4 -'])).toBe('squid');
    expect(detectFormat(['10.3.0.9 - - [11/Jan/2016:08:31:02 +0800] "GET http://a.b/ HTTP/1.1" 200 5'])).toBe('clf');
    expect(detectFormat(['#Software: SGOS', '#Fields: date time c-ip'])).toBe('w3c');
    expect(detectFormat(['garbage', 'more garbage'])).toBeUndefined();
  });
});
