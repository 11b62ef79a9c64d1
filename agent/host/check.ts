// The host check: reads the Entra Connect server's facts from the registry (live on Windows, or the `reg export`
// files named in host.registry) and turns them into findings. Off Windows without files it is skipped, with one line
// saying why; WinHTTP against machine.config is still compared when a winhttp route names an export file.
import { InputError } from '../errors.js';
import type { WinHttpRouteSource } from './winhttp-route.js';
import type { Finding } from '../finding.js';
import { readHostFacts, type HostFacts } from './facts.js';
import { hostFindings, winHttpFindings, type MachineConfigProxy, type WinHttpView } from './findings.js';
import { RegExeSource, RegFileSource, RegistryReadError, type RegistrySource } from './registry.js';

export interface HostCheck {
  /** Where the facts came from, or undefined when skipped. */
  source?: string;
  /** Why the host facts were not read (off Windows with no exported files). */
  skipped?: string;
  facts?: HostFacts;
  findings: Finding[];
}

/** What the host check needs of a plan (a Plan is one): the configuration's host keys and the routes. */
export interface HostPlan {
  config: { file: string; host: { registry: string[] } };
  routes: ReadonlyArray<{ name: string; proxyUrl?: string; machineConfig?: { path: string }; winhttp?: WinHttpRouteSource }>;
}

export interface HostCheckOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** A source to read instead of the one the configuration and platform pick (tests). */
  source?: RegistrySource;
  now?: Date;
}

/** Picks the registry the host facts come from: host.registry files, else the live registry on Windows. */
export function hostSource(plan: HostPlan, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): RegistrySource | string {
  const files = plan.config.host.registry;
  if (files.length > 0) {
    try {
      return new RegFileSource(files);
    } catch (err) {
      const index = files.findIndex((f) => (err as Error).message.startsWith(`${f}:`));
      throw new InputError(plan.config.file, `host.registry[${Math.max(index, 0)}]`, (err as Error).message);
    }
  }
  if (platform === 'win32') return new RegExeSource({ env });
  return `Entra Connect server checks skipped: this agent runs on ${platform}, not on the server; export the server's registry keys with \`reg export\` and list the files in host.registry to check them.`;
}

function machineConfigProxies(plan: HostPlan): MachineConfigProxy[] {
  return plan.routes.filter((r) => r.machineConfig).map((r) => ({ route: r.name, path: r.machineConfig!.path, ...(r.proxyUrl ? { proxy: r.proxyUrl } : {}) }));
}

/** The WinHTTP view to compare with machine.config: a winhttp route's (explicit), else the host registry's. */
function winHttpView(plan: HostPlan, facts: HostFacts | undefined, live: boolean): WinHttpView | undefined {
  const route = plan.routes.find((r) => r.winhttp);
  if (route?.winhttp) return { description: `${route.winhttp.description}, route ${route.name}`, ...(route.winhttp.settings ? { settings: route.winhttp.settings } : {}) };
  if (!facts || facts.winhttp.error) return undefined;
  if (!facts.winhttp.keyFound && !live) return undefined; // not exported: unknown, not direct
  return { description: facts.source, ...(facts.winhttp.settings ? { settings: facts.winhttp.settings } : {}) };
}

export async function hostCheck(plan: HostPlan, options: HostCheckOptions = {}): Promise<HostCheck> {
  const source = options.source ?? hostSource(plan, options.platform, options.env);
  const machineConfigs = machineConfigProxies(plan);
  if (typeof source === 'string') {
    const view = winHttpView(plan, undefined, false);
    return { skipped: source, findings: view ? winHttpFindings(view, machineConfigs) : [] };
  }
  let facts: HostFacts;
  try {
    facts = await readHostFacts(source);
  } catch (err) {
    if (!(err instanceof RegistryReadError)) throw err;
    return {
      source: source.description,
      findings: [
        {
          code: 'registry_unreadable',
          severity: 'warning',
          message: `The agent could not read ${source.description}: ${err.message}. The Entra Connect server checks did not run.`,
          remedy: 'Run the agent as an account that can run reg.exe and read HKEY_LOCAL_MACHINE, or point host.registry at `reg export` files of the server.',
        },
      ],
    };
  }
  const live = source instanceof RegExeSource;
  return { source: source.description, facts, findings: hostFindings(facts, machineConfigs, winHttpView(plan, facts, live), options.now) };
}
