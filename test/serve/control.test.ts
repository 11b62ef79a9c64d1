// The control channel on Linux (a Unix socket; on Windows the same code serves a named pipe, tested under Wine in
// test/packaging/wine.test.ts): `stop` runs the bounded shutdown, `reload` re-reads the configuration, both from a
// second process, as an admin or uninstall.ps1 would.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlAddress, sendControl, startControl } from '../../agent/serve/control.js';
import { httpGet, runCli, startAgent } from '../lab/agent-process.js';
import { waitFor } from '../lab/squid.js';

describe('the control channel', () => {
  it('stop and reload reach a running agent; stop returns once it has exited 0, within 2 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecm-control-'));
    const socket = join(dir, 'control.sock');
    const config = join(dir, 'agent.yaml');
    // No probe can succeed on this route and none needs to: the test is about the process, not the probes.
    writeFileSync(config, 'listen: "127.0.0.1:0"\nroutes: [{name: nowhere, proxy: "http://127.0.0.1:9"}]\nidle: {enabled: false}\nprobes: {schedule: "0 0 1 1 *", timeoutSeconds: 1}\n');
    const logFile = join(dir, 'agent.log');
    const agent = startAgent(['--config', config, '--control.pipe', socket, '--log.file', logFile]);
    try {
      await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"control channel open"'), 15_000, 'the control channel');
      const logs = () => readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const port = Number(String(logs().find((l) => l.msg === 'listening')?.listen).split(':').pop());
      expect(agent.stdout()).toBe(''); // with --log.file nothing goes to stdout

      const reload = await runCli(['reload', '--control.pipe', socket]);
      expect(reload).toMatchObject({ status: 0, stdout: 'reloaded\n', stderr: '' });
      writeFileSync(config, 'probes: {timeoutSeconds: -1}\n');
      const bad = await runCli(['reload', '--control.pipe', socket]);
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/^reload failed: the previous configuration stays in use/);
      expect((await httpGet(`http://127.0.0.1:${port}/-/healthy`)).status).toBe(200);

      const started = performance.now();
      const stop = await runCli(['stop', '--control.pipe', socket]);
      const ms = performance.now() - started;
      expect(stop).toMatchObject({ status: 0, stdout: 'stopping; the agent has exited\n' });
      expect(await agent.exited).toBe(0);
      expect(ms).toBeLessThan(2_000 + 1_500); // the bound, plus starting the second node process
      expect(logs().find((l) => l.msg === 'shut down')).toMatchObject({ signal: 'control', orderly: true });
    } finally {
      await agent.stop('SIGKILL');
    }
  });

  it('with no agent there: one line, exit 1', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'ecm-control-')), 'none.sock');
    const run = await runCli(['stop', '--control.pipe', socket]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`entra-connect-monitor: stop: no agent answered on ${socket} (ENOENT)\n`);
  });

  it('a second agent on the same name is refused the channel (EADDRINUSE) and an unknown command gets an answer', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'ecm-control-')), 'c.sock');
    let stops = 0;
    const server = await startControl(socket, { stop: () => stops++, reload: () => ({ ok: true }) });
    try {
      await expect(startControl(socket, { stop: () => undefined, reload: () => ({ ok: true }) })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(await sendControl(socket, 'nonsense' as never, 2_000)).toEqual({ answer: 'unknown command', closed: true });
      expect(stops).toBe(0);
    } finally {
      server.close();
    }
  });

  it('names a Windows pipe from a plain name, and leaves paths and full pipe names alone', () => {
    expect(controlAddress('entra-connect-monitor', 'win32')).toBe('\\\\.\\pipe\\entra-connect-monitor');
    expect(controlAddress('\\\\.\\pipe\\other', 'win32')).toBe('\\\\.\\pipe\\other');
    expect(controlAddress('/run/ecm/control.sock', 'linux')).toBe('/run/ecm/control.sock');
  });
});
