// parseMachineConfig reads files a user points us at: whatever the text, it must answer with findings, never throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../agent/machineconfig/diagnose.js';
import { MACHINE_CONFIG_FINDING_CODES } from '../../agent/machineconfig/findings.js';
import { parseMachineConfig } from '../../agent/machineconfig/parse.js';
import { routeDecision } from '../../agent/machineconfig/route.js';
import { toEndpoint } from '../../agent/config/catalogue.js';

const endpoints = [
  toEndpoint({ id: 'login', url: 'https://login.partner.microsoftonline.cn/', pattern: '*.partner.microsoftonline.cn', description: '', category: 'authentication', exports: false, required: true }, 'china'),
];

// Pieces of real machine.config syntax, so random concatenations reach deep into the section reader.
const xmlishPiece = fc.oneof(
  fc.constantFrom(
    '<?xml version="1.0"?>',
    '<configuration>',
    '</configuration>',
    '<system.net>',
    '</system.net>',
    '<defaultProxy',
    '</defaultProxy>',
    '<proxy',
    '<bypasslist>',
    '</bypasslist>',
    '<add address="',
    '<remove address="',
    '<clear/>',
    ' enabled="',
    ' useDefaultCredentials="',
    ' usesystemdefault="',
    ' proxyaddress="',
    ' ProxyAddress="',
    ' bypassonlocal="',
    ' scriptLocation="',
    ' autoDetect="',
    'true',
    'false',
    'unspecified',
    'http://fabrikamproxy:8080',
    '(?<',
    '(?\'a\'',
    '\\k',
    '[]',
    '*.',
    '"',
    '>',
    '/>',
    '<!--',
    '-->',
    '&amp;',
    '&#x0;',
    '<!DOCTYPE x [<!ENTITY e "ee">]>',
    '&e;',
  ),
  fc.string({ maxLength: 12 }),
);
const xmlish = fc.array(xmlishPiece, { maxLength: 40 }).map((pieces) => pieces.join(''));

function assertAnswers(text: string): void {
  const result = parseMachineConfig(text, 'fuzz.config');
  expect(result.path).toBe('fuzz.config');
  expect(Array.isArray(result.findings)).toBe(true);
  for (const f of result.findings) expect(MACHINE_CONFIG_FINDING_CODES).toContain(f.code);
  diagnose(result, endpoints);
  if (result.proxy) routeDecision(result.proxy, new URL('https://login.partner.microsoftonline.cn/'));
}

describe('parseMachineConfig never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => assertAnswers(text)), { numRuns: 500 });
  });

  it('on XML-ish strings built from machine.config syntax', () => {
    fc.assert(fc.property(xmlish, (text) => assertAnswers(text)), { numRuns: 2000 });
  });

  it('on well-formed sections with arbitrary attribute values', () => {
    const attr = fc.string({ maxLength: 30 }).map((s) => s.replace(/[<&"]/g, ''));
    fc.assert(
      fc.property(attr, attr, attr, fc.array(attr, { maxLength: 4 }), (enabled, address, script, bypass) => {
        const text =
          `<configuration><system.net><defaultProxy enabled="${enabled}"><proxy proxyaddress="${address}" scriptLocation="${script}"/>` +
          `<bypasslist>${bypass.map((b) => `<add address="${b}"/>`).join('')}</bypasslist></defaultProxy></system.net></configuration>`;
        const result = parseMachineConfig(text, 'fuzz.config');
        expect(result.proxy).toBeDefined();
        assertAnswers(text);
      }),
      { numRuns: 1000 },
    );
  });
});
