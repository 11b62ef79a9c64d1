// Issue 7.6: bad input never crashes. Every parser the agent has ends each input in a value or one clear
// InputError, never an unhandled exception (machine.config has its own in test/machineconfig/property.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig, parseListen } from '../../agent/config/config.js';
import { InputError } from '../../agent/errors.js';
import { parseDnsServer } from '../../agent/config/values.js';
import { parseProxyAuthenticate, parseResponseHead } from '../../agent/net/proxy-connect.js';
import { sanitizeRemoteText } from '../../agent/net/net-error.js';
import { parseWebConfig } from '../../agent/serve/webconfig.js';
import { within } from '../faults/fault-servers.js';

const RUNS = { numRuns: 400 };

/** Calls `parse`; the only acceptable throw is an InputError with a one-line message. */
function valueOrInputError(parse: () => unknown): void {
  try {
    parse();
  } catch (err) {
    if (!(err instanceof InputError)) throw new Error(`not an InputError: ${String(err)}`, { cause: err });
    expect(err.message).not.toContain('\n');
  }
}

// YAML-ish values: scalars of every kind, nested a little, with the keys the loaders know (and some they do not).
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('* * * * *', '*/2 * * * * *', 'http://127.0.0.1:3128', '127.0.0.1:53', 'TLS12', '$2y$10$abc'));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), tie('v'), { maxKeys: 3 })),
})).v;
function keyed(keys: string[]) {
  return fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })), value, { maxKeys: 6 });
}
const configKeys = ['cloud', 'routes', 'listen', 'catalogue', 'probes', 'idle', 'tls', 'resolve', 'log', 'dns', 'schedule', 'timeoutSeconds', 'concurrency', 'servers', 'name', 'proxy', 'credentials', 'exclude', 'add'];
const webKeys = ['tls_server_config', 'basic_auth_users', 'cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version'];

describe('configuration loader (parseConfig)', () => {
  it('any text: a config or one InputError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => valueOrInputError(() => parseConfig(text, 'prop.yaml', {}))), RUNS);
  });
  it('any YAML document shaped like a config: a config or one InputError', () => {
    fc.assert(
      fc.property(keyed(configKeys), fc.dictionary(fc.constantFrom('schedule', 'timeoutSeconds', 'concurrency', 'maxBodyBytes', 'expectedStatus'), value), (doc, probes) => {
        valueOrInputError(() => parseConfig(stringify({ ...doc, probes }), 'prop.yaml', {}));
      }),
      RUNS,
    );
  });
  it('YAML that bombs or nests deep is refused, not crashed on', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
    valueOrInputError(() => parseConfig(bomb, 'bomb.yaml', {}));
    valueOrInputError(() => parseConfig(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'deep.yaml', {}));
  });
});

describe('web config loader (parseWebConfig)', () => {
  it('any text: a web config or one InputError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => valueOrInputError(() => parseWebConfig(text, 'web.yml'))), RUNS);
  });
  it('any YAML document shaped like a web config: a web config or one InputError', () => {
    fc.assert(
      fc.property(keyed(webKeys), keyed(webKeys), (doc, tls) => valueOrInputError(() => parseWebConfig(stringify({ ...doc, tls_server_config: tls }), 'web.yml'))),
      RUNS,
    );
  });
});

describe('response heads and Proxy-Authenticate', () => {
  const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
  const line = fc.oneof(fc.string({ maxLength: 40 }), fc.tuple(token, fc.string({ maxLength: 30 })).map(([n, v]) => `${n}: ${v}`));
  it('parseResponseHead: any text is a head or undefined, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.tuple(fc.oneof(fc.string(), fc.integer({ min: 0, max: 999 }).map((s) => `HTTP/1.1 ${s} X`)), fc.array(line, { maxLength: 8 })).map(([s, ls]) => [s, ...ls].join('\r\n'))), (head) => {
        const answer = parseResponseHead(head);
        if (answer !== undefined) {
          expect(answer.status).toBeGreaterThanOrEqual(0);
          expect(answer.status).toBeLessThanOrEqual(999);
        }
      }),
      RUNS,
    );
  });
  it('parseResponseHead: a well-formed head round-trips its status and headers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.array(fc.tuple(token, fc.stringMatching(/^[!-~]([ -~]{0,20}[!-~])?$/)), { maxLength: 6 }), (status, headers) => {
        const answer = parseResponseHead([`HTTP/1.1 ${status} Reason`, ...headers.map(([n, v]) => `${n}: ${v}`)].join('\r\n'));
        expect(answer?.status).toBe(status);
        for (const [n, v] of headers) expect(answer?.headers.get(n.toLowerCase())).toContain(v);
      }),
      RUNS,
    );
  });
  it('parseProxyAuthenticate: any header values give a list of scheme tokens, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('Basic realm="x"', 'Negotiate, NTLM', 'Digest realm="a", nonce="b", Basic')), { maxLength: 5 }), (values) => {
        const schemes = parseProxyAuthenticate(values);
        for (const s of schemes) expect(s).toMatch(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/);
        expect(new Set(schemes).size).toBe(schemes.length);
      }),
      RUNS,
    );
  });
});

describe('small parsers', () => {
  it('parseListen, parseDnsServer: a value or undefined; sanitizeRemoteText: printable and bounded', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const listen = parseListen(text);
        if (listen) expect(listen.port).toBeLessThanOrEqual(65535);
        const dns = parseDnsServer(text);
        if (dns) expect(dns).toMatch(/:\d+$/);
        const clean = sanitizeRemoteText(text, 50);
        expect(clean).toMatch(/^[\x20-\x7e]*$/);
        expect(clean.length).toBeLessThanOrEqual(53);
      }),
      RUNS,
    );
  });
});

describe('the CONNECT answer reader on a real socket', () => {
  it('any bytes a proxy sends back end in an answer or one NetError, never a throw or a hang', async () => {
    const { createServer, connect } = await import('node:net');
    const { proxyConnect } = await import('../../agent/net/proxy-connect.js');
    const { NetError } = await import('../../agent/net/net-error.js');
    let reply: { chunks: Uint8Array[]; close: boolean } = { chunks: [], close: true };
    const server = createServer((s) => {
      s.on('error', () => undefined);
      const { chunks, close } = reply;
      s.once('data', () => {
        for (const c of chunks) s.write(c);
        if (close) s.end();
      });
    });
    await within(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())), 5_000, 'the fake proxy to listen');
    const port = (server.address() as { port: number }).port;
    const head = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }), fc.boolean()).map(([status, lines, end]) =>
        new Uint8Array(Buffer.from(`HTTP/1.1 ${status} X\r\n${lines.map((l) => `${l}\r\n`).join('')}${end ? '\r\n' : ''}`, 'latin1')),
      ),
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(head, { minLength: 1, maxLength: 3 }), fc.boolean(), async (chunks, close) => {
          reply = { chunks, close };
          const socket = connect({ host: '127.0.0.1', port });
          socket.on('error', () => undefined);
          await within(new Promise<void>((resolve) => socket.once('connect', () => resolve())), 5_000, 'the fake proxy');
          // The caller's deadline ends a proxy that says nothing more (here 300 ms), as the probe's signal does.
          const timer = setTimeout(() => socket.destroy(), 300);
          try {
            const answer = await proxyConnect(socket, 'example.test', 443);
            expect(answer.status).toBeGreaterThanOrEqual(0);
          } catch (err) {
            expect(err).toBeInstanceOf(NetError);
          } finally {
            clearTimeout(timer);
            socket.destroy();
          }
        }),
        { numRuns: 60 },
      );
    } finally {
      await within(new Promise<void>((resolve) => server.close(() => resolve())), 5_000, 'the fake proxy to close');
    }
  });
});

describe('explain and catalogue patterns', () => {
  it('matchSymptom takes any text; hostMatchesPattern any host and pattern', async () => {
    const { matchSymptom } = await import('../../agent/explain/explain.js');
    const { hostMatchesPattern } = await import('../../agent/config/catalogue.js');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 40 }), (text, pattern) => {
        expect(Array.isArray(matchSymptom(text))).toBe(true);
        expect(typeof hostMatchesPattern(text.slice(0, 60), pattern)).toBe('boolean');
      }),
      RUNS,
    );
  });
});
