// Issue 7.4: --web.config.file in the exporter-toolkit format (TLS, client certificates, bcrypt basic auth), the
// exporter habits of the metrics endpoint, and one-line errors with exit 2 for a bad file.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputError } from '../../agent/errors.js';
import { basicAuthCheck, loadWebConfig, parseWebConfig } from '../../agent/serve/webconfig.js';
import { listenPort, runCli, startAgent, type AgentProcess } from '../lab/agent-process.js';
import { createTestCa, type TestCa } from '../lab/ca.js';
import { httpsGet } from '../lab/https-get.js';
import { waitFor } from '../lab/squid.js';

const PASSWORD = 'scrape-Pa55word';
let ca: TestCa;
let dir: string;
let agentConfig: string;
let hash: string;

beforeAll(() => {
  ca = createTestCa();
  dir = ca.dir;
  ca.issue('metrics', ['localhost', '127.0.0.1']);
  hash = bcrypt.hashSync(PASSWORD, 10);
  agentConfig = join(dir, 'agent.yaml');
  // An agent that probes nothing reachable, quickly: the web side is what is tested here.
  writeFileSync(agentConfig, stringify({ listen: '127.0.0.1:0', routes: [{ name: 'nowhere', proxy: 'http://127.0.0.1:9' }], probes: { schedule: '0 0 1 1 *', timeoutSeconds: 1 }, idle: { enabled: false } }));
});

function webConfig(content: Record<string, unknown> | string, name = `web-${Math.random().toString(36).slice(2)}.yml`): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

describe('parseWebConfig', () => {
  it('reads the exporter-toolkit keys and resolves relative paths against the file', () => {
    const spec = parseWebConfig(stringify({ tls_server_config: { cert_file: 'a.crt', key_file: '/abs/a.key', client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: 'ca.crt', min_version: 'TLS13' }, basic_auth_users: { prom: hash } }), '/etc/ecm/web.yml');
    expect(spec.tls).toMatchObject({ certFile: '/etc/ecm/a.crt', keyFile: '/abs/a.key', clientCaFile: '/etc/ecm/ca.crt', minVersion: 'TLSv1.3', clientAuthType: 'RequireAndVerifyClientCert' });
    expect(spec.users.get('prom')).toBe(hash);
    expect(parseWebConfig('', 'empty.yml').tls).toBeUndefined();
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unknown key', stringify({ tls_server_confg: {} }), /web\.yml: unknown key "tls_server_confg"/],
    ['unknown tls key', stringify({ tls_server_config: { cert_file: 'a', key_file: 'b', ciphers: [] } }), /tls_server_config: unknown key "ciphers"/],
    ['bad client_auth_type', stringify({ tls_server_config: { cert_file: 'a', key_file: 'b', client_auth_type: 'Always' } }), /tls_server_config\.client_auth_type: must be one of/],
    ['bad min_version', stringify({ tls_server_config: { cert_file: 'a', key_file: 'b', min_version: 'SSL3' } }), /min_version: must be one of TLS10/],
    ['cert without key', stringify({ tls_server_config: { cert_file: 'a' } }), /tls_server_config\.key_file: missing/],
    ['verify without CA', stringify({ tls_server_config: { cert_file: 'a', key_file: 'b', client_auth_type: 'RequireAndVerifyClientCert' } }), /client_ca_file: required/],
    ['plain password', stringify({ basic_auth_users: { prom: 'secret' } }), /basic_auth_users\.prom: must be a bcrypt hash/],
    ['malformed YAML', 'basic_auth_users: [', /web\.yml: malformed YAML/],
    ['not a mapping', '- a\n- b\n', /must be a YAML mapping/],
  ];
  for (const [what, text, message] of bad) {
    it(`one line naming file, key and problem: ${what}`, () => {
      let error: unknown;
      try {
        parseWebConfig(text, 'web.yml');
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('secret');
    });
  }

  it('a plain password given as a hash is never echoed in the error', () => {
    expect(() => parseWebConfig(stringify({ basic_auth_users: { prom: 'hunter2-plain' } }), 'web.yml')).toThrow(/^((?!hunter2).)*$/);
  });
});

describe('basic auth check', () => {
  const req = (user: string, password: string) => ({ headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } }) as IncomingMessage;

  it('accepts the right password, refuses a wrong one and unknown users, and caches so a scrape does not pay bcrypt each time', async () => {
    const check = basicAuthCheck(new Map([['prom', hash]]));
    let t = performance.now();
    expect(await check(req('prom', PASSWORD))).toBe(true);
    const first = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < 20; i++) expect(await check(req('prom', PASSWORD))).toBe(true);
    const cached = (performance.now() - t) / 20;
    expect(cached).toBeLessThan(first / 10);
    expect(await check(req('prom', 'wrong'))).toBe(false);
    expect(await check(req('nobody', PASSWORD))).toBe(false);
    expect(await check({ headers: {} } as IncomingMessage)).toBe(false);
    expect(await check({ headers: { authorization: 'Bearer x' } } as IncomingMessage)).toBe(false);
  });
});

function get(port: number, path: string, opts: { method?: string; auth?: string; headers?: Record<string, string>; cert?: string; key?: string } = {}) {
  return httpsGet(new URL(path, `https://127.0.0.1:${port}`), { ...opts, ca: ca.cert });
}

describe('the agent with --web.config.file', () => {
  let agent: AgentProcess;
  let port: number;
  let clientCert: { cert: string; key: string };

  beforeAll(async () => {
    // A client certificate (clientAuth) signed by the test CA.
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=prometheus'], { cwd: dir, stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2', '-extfile', 'client.ext'], { cwd: dir, stdio: 'ignore' });
    const { readFileSync } = await import('node:fs');
    clientCert = { cert: readFileSync(join(dir, 'client.crt'), 'utf8'), key: readFileSync(join(dir, 'client.key'), 'utf8') };
    const web = webConfig({
      tls_server_config: { cert_file: 'metrics.crt', key_file: 'metrics.key', client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: 'ca.crt' },
      basic_auth_users: { prometheus: hash },
    });
    agent = startAgent(['--config', agentConfig, '--web.config.file', web]);
    port = await listenPort(agent);
    await waitFor(() => agent.logs().some((l) => l.msg === 'agent started'), 10_000, 'the agent to start');
  });
  afterAll(async () => {
    await agent?.stop();
  });

  const auth = `prometheus:${PASSWORD}`;

  it('serves /metrics over TLS to a client with a certificate and the password', async () => {
    const res = await get(port, '/metrics', { auth, ...clientCert });
    expect(res.status).toBe(200);
    expect(res.body).toContain('entra_connect_build_info');
  });

  it('refuses a client without a certificate at the TLS layer', async () => {
    await expect(get(port, '/metrics', { auth })).rejects.toThrow();
  });

  it('answers 401 without or with wrong credentials, with a Basic challenge', async () => {
    for (const a of [undefined, 'prometheus:wrong', 'other:x']) {
      const res = await get(port, '/metrics', { auth: a, ...clientCert });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    }
  });

  it('GET and HEAD only on /metrics, 404 elsewhere, header size bounded, no stack trace or path in any answer', async () => {
    const head = await get(port, '/metrics', { method: 'HEAD', auth, ...clientCert });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const answers = [head];
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await get(port, '/metrics', { method, auth, ...clientCert });
      expect(res.status).toBe(405);
      answers.push(res);
    }
    const notFound = await get(port, '/../../etc/passwd', { auth, ...clientCert });
    expect(notFound.status).toBe(404);
    const big = await get(port, '/metrics', { auth, ...clientCert, headers: { 'x-big': 'a'.repeat(20_000) } });
    expect([400, 431]).toContain(big.status);
    answers.push(notFound, big, await get(port, '/-/reload', { method: 'POST', auth, ...clientCert }));
    for (const res of answers) {
      expect(res.body).not.toMatch(/\bat .*\(|Error:|\/work\/|node_modules|\.ts\b|\.js\b/);
      expect(res.body).not.toContain(dir);
    }
    expect(agent.stderr()).toBe('');
  });
});

describe('a bad web config', () => {
  it('exits 2 with one line naming the file, the key and the problem', async () => {
    const cases: Array<[Record<string, unknown> | string, RegExp]> = [
      [{ basic_auth_users: { prom: 'not-a-hash' } }, /basic_auth_users\.prom: must be a bcrypt hash/],
      [{ tls_server_config: { cert_file: 'missing.crt', key_file: 'missing.key' } }, /tls_server_config\.cert_file: cannot read .*missing\.crt \(ENOENT\)/],
      [{ tls_server_config: { cert_file: 'metrics.key', key_file: 'metrics.crt' } }, /tls_server_config: cannot use the certificate, key or CA/],
    ];
    for (const [content, message] of cases) {
      const file = webConfig(content);
      const run = await runCli(['--config', agentConfig, '--web.config.file', file], {}, 15_000);
      expect(run.status).toBe(2);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(message);
    }
    const missing = await runCli(['--config', agentConfig, '--web.config.file', join(dir, 'nope.yml')], {}, 15_000);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yml: file not found\n$/);
  });

  it('loadWebConfig turns an unreadable CA into the same kind of error', async () => {
    const file = webConfig({ tls_server_config: { cert_file: 'metrics.crt', key_file: 'metrics.key', client_auth_type: 'RequireAndVerifyClientCert', client_ca_file: 'none.crt' } });
    await expect(loadWebConfig(file)).rejects.toThrow(/client_ca_file: cannot read/);
  });
});
