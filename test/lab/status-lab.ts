// The lab the status page is looked at in (its browser test and `npm run screenshots`): the agent as a real process
// over the default catalogue and two real squids: "corp-proxy" denies one endpoint (403) and closes idle tunnels
// after 3 s, "auth-proxy" requires Basic authentication (the agent has the credentials); a custom endpoint on a server
// that accepts and never answers (hung); sign-in discovery against the lab's login service. Optionally a route
// through a fake proxy whose error text is hostile HTML, and the web side behind TLS and basic auth.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startFakeProxy } from '../faults/fault-servers.js';
import { listenPort, startAgent, type AgentProcess } from './agent-process.js';
import { startLab, type Lab } from './lab.js';
import { fakeLoginService } from './login-service.js';
import { startSilent, type Running } from './servers.js';
import { startSquid, waitFor, type Squid } from './squid.js';

export const DENIED_ENDPOINT = 'provisioningapi';
export const DENIED_HOST = 'provisioningapi.partner.microsoftonline.cn';
export const HUNG_ENDPOINT = 'hung-service';
export const HOSTILE_PROXY_TEXT = '<script>window.__pwned=1</script><img src=x onerror=alert(1)>';
export const SCRAPER = { user: 'prometheus', password: 'page-Pa55word' };
const PROXY_USER = 'CONTOSO\\svc-aadsync';
const PROXY_PASSWORD = 'proxy-S3cret';
const HUNG_HOST = 'hung.lab.test';

export interface StatusLabOptions {
  /** Adds route "hostile" through a fake proxy answering every CONNECT with a 502 whose text is HOSTILE_PROXY_TEXT. */
  hostile?: boolean;
  /** Serves the web side over TLS with basic auth (--web.config.file); the scraper's credentials are SCRAPER. */
  secured?: boolean;
}

export interface StatusLab {
  lab: Lab;
  agent: AgentProcess;
  /** http(s)://127.0.0.1:PORT of the agent. */
  base: string;
  stop(): Promise<void>;
}

export async function startStatusLab(opts: StatusLabOptions = {}): Promise<StatusLab> {
  const lab = await startLab({ deny: [DENIED_HOST], readTimeoutSeconds: 3, extraHosts: [HUNG_HOST], httpsHandler: fakeLoginService().handler });
  const stoppers: Array<() => Promise<void>> = [() => lab.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop();
  };
  try {
    const authSquid: Squid = await startSquid({ hosts: lab.hosts, users: { [PROXY_USER]: PROXY_PASSWORD } });
    stoppers.push(() => authSquid.stop());
    const hung: Running = await startSilent(lab.address);
    stoppers.push(() => hung.close());
    const passwordFile = join(lab.dir, 'proxy-password');
    writeFileSync(passwordFile, `${PROXY_PASSWORD}\n`);
    const routes: Array<Record<string, unknown>> = [
      { name: 'corp-proxy', proxy: `http://127.0.0.1:${lab.squid.port}` },
      { name: 'auth-proxy', proxy: `http://127.0.0.1:${authSquid.authPort}`, credentials: { scheme: 'basic', username: PROXY_USER, passwordFile } },
    ];
    if (opts.hostile) {
      const fake = await startFakeProxy('hostile-error', '127.0.0.1', HOSTILE_PROXY_TEXT);
      stoppers.push(() => fake.close());
      routes.push({ name: 'hostile', proxy: `http://127.0.0.1:${fake.port}` });
    }
    const config = lab.writeConfig({
      listen: '127.0.0.1:0',
      tls: lab.tls,
      resolve: { [HUNG_HOST]: lab.address },
      routes,
      // Under squid's 3 s read_timeout, so the hung endpoint is the agent's own timeout, not the proxy giving up.
      probes: { schedule: '*/5 * * * * *', timeoutSeconds: 2.5, concurrency: 16 },
      idle: { holdSeconds: [1, 5], requiredSeconds: 4, schedule: '*/15 * * * * *' },
      tenant: { domain: 'fabrikam.cn', schedule: '*/15 * * * * *' },
      catalogue: { add: [{ id: HUNG_ENDPOINT, url: `https://${HUNG_HOST}:${hung.port}/`, description: 'A service that accepts connections and never answers' }] },
    });
    const args = ['--config', config];
    if (opts.secured) {
      const pair = lab.ca.issue('agent-web', ['localhost']);
      const web = join(lab.dir, 'web.yml');
      writeFileSync(web, `tls_server_config:\n  cert_file: ${pair.certFile}\n  key_file: ${pair.keyFile}\nbasic_auth_users:\n  ${SCRAPER.user}: ${bcrypt.hashSync(SCRAPER.password, 8)}\n`);
      args.push('--web.config.file', web);
    }
    const agent = startAgent(args);
    stoppers.push(async () => void (await agent.stop()));
    const port = await listenPort(agent);
    return { lab, agent, base: `${opts.secured ? 'https' : 'http'}://127.0.0.1:${port}`, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Waits until the agent's log shows `what` (e.g. a second probe run, an idle cycle and a sign-in discovery). */
export async function waitForLog(agent: AgentProcess, match: (line: Record<string, unknown>) => boolean, count: number, withinMs: number, what: string): Promise<void> {
  await waitFor(() => agent.logs().filter(match).length >= count, withinMs, what, 200);
}
