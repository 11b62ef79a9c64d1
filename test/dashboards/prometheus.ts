// Starts Debian's real `prometheus` binary on loopback for tests: a free port, a temporary TSDB, a generated
// prometheus.yml with one scrape job ("entra-connect") and the rules file. Every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const READY_TIMEOUT_MS = 20_000;
const POLL_MS = 100;
const STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5_000;

export interface PrometheusOptions {
  /** host:port of agents to scrape; loopback only (127.x.x.x, [::1] or localhost). */
  scrapeTargets: string[];
  /** Rules file to load (absolute or relative to the working directory). */
  rulesFile: string;
  scrapeIntervalSeconds: number;
}

export interface PrometheusApiResponse<T = unknown> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface InstantVectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** Instant query through /api/v1/query; resolves with Prometheus' JSON answer even when it is an error. */
  query(expr: string): Promise<PrometheusApiResponse<{ resultType: string; result: unknown }>>;
  /** GET any API path, e.g. /api/v1/rules. */
  get<T = unknown>(path: string): Promise<PrometheusApiResponse<T>>;
  stop(): Promise<void>;
}

const LOOPBACK_TARGET = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/;

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port'))));
    });
  });
}

export function prometheusConfig(opts: PrometheusOptions): string {
  const rules = JSON.stringify(resolve(opts.rulesFile));
  const lines = [
    'global:',
    `  scrape_interval: ${opts.scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${opts.scrapeIntervalSeconds}s`,
    `  scrape_timeout: ${Math.max(1, Math.min(10, opts.scrapeIntervalSeconds))}s`,
    'rule_files:',
    `  - ${rules}`,
  ];
  if (opts.scrapeTargets.length > 0) {
    lines.push(
      'scrape_configs:',
      '  - job_name: entra-connect',
      '    static_configs:',
      `      - targets: [${opts.scrapeTargets.map((t) => JSON.stringify(t)).join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => resolveExit(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit(true);
    });
  });
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  for (const t of opts.scrapeTargets) {
    if (!LOOPBACK_TARGET.test(t)) throw new Error(`scrape target ${t} is not a loopback host:port`);
  }
  if (!(opts.scrapeIntervalSeconds >= 1)) throw new Error('scrapeIntervalSeconds must be at least 1');

  const dir = await mkdtemp(join(tmpdir(), 'entra-connect-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(opts));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;

  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  async function get<T>(path: string): Promise<PrometheusApiResponse<T>> {
    const res = await fetch(url + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return (await res.json()) as PrometheusApiResponse<T>;
  }

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`prometheus exited before it was ready (${spawnError?.message ?? `code ${child.exitCode}`}):\n${output}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    await sleep(POLL_MS);
  }

  return {
    url,
    get,
    query: (expr: string) => get(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    stop,
  };
}
