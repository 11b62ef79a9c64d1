// Diagnosis against the endpoint catalogue: which endpoints a bypass entry sends direct, and whether the sync
// engine's own miiserver.exe.config overrides machine.config.
import type { Endpoint } from '../config/catalogue.js';
import type { Finding } from '../finding.js';
import { finding, MIISERVER_NOTE, RESTART_REMEDY } from './findings.js';
import { readConfigText } from './read.js';
import { bypassMatchText, explainRoute } from './route.js';
import type { MachineConfigResult } from './types.js';
import { parseXml } from './xml.js';

/**
 * All findings for a machine.config: the parse findings, plus `bypass_catches_endpoint` for every endpoint a bypass
 * entry sends direct, plus `miiserver_config_proxy` when `miiserverConfigPath` names a miiserver.exe.config that
 * carries its own <defaultProxy>. A missing miiserver.exe.config is not a finding (most agents run off the server).
 */
export function diagnose(result: MachineConfigResult, endpoints: Endpoint[], opts: { miiserverConfigPath?: string } = {}): Finding[] {
  const findings = [...result.findings];
  const proxy = result.proxy;
  if (proxy) {
    for (const endpoint of endpoints) {
      for (const target of endpointTargets(endpoint)) {
        const route = explainRoute(proxy, target);
        if (route.via === 'direct' && route.rule === 'bypass') {
          findings.push(
            finding(
              'bypass_catches_endpoint',
              endpoint.required ? 'error' : 'warning',
              `The bypass entry "${route.entry}" matches the ${endpoint.required ? 'required ' : ''}endpoint ${endpoint.id} (${bypassMatchText(target)}), so the sync engine skips the proxy for it and tries to reach it directly.`,
              `Remove or narrow the bypass entry "${route.entry}" so it no longer matches ${endpoint.pattern}, unless this server can reach that endpoint without the proxy. ${RESTART_REMEDY}`,
            ),
          );
          break; // one finding per endpoint is enough
        }
      }
    }
  }
  if (opts.miiserverConfigPath) findings.push(...checkMiiserverConfig(opts.miiserverConfigPath));
  return findings;
}

/** The probed URL, and for a wildcard pattern ("*.x.y") also its base name, so a bypass of the whole domain is seen. */
function endpointTargets(endpoint: Endpoint): URL[] {
  const targets: URL[] = [];
  try {
    targets.push(new URL(endpoint.url));
  } catch {
    return targets; // the catalogue validates URLs; a hand-made Endpoint may not be valid
  }
  if (endpoint.pattern.startsWith('*.')) {
    try {
      const base = new URL(targets[0]!.href);
      base.hostname = endpoint.pattern.slice(2);
      if (base.hostname !== targets[0]!.hostname) targets.push(base);
    } catch {
      // a pattern that is not a host name adds nothing to check
    }
  }
  return targets;
}

function checkMiiserverConfig(path: string): Finding[] {
  const read = readConfigText(path);
  if ('problem' in read) return [];
  const parsed = parseXml(read.text, path);
  if ('finding' in parsed) return [];
  const systemNet = parsed.root.children.find((child) => child.name.toLowerCase() === 'system.net');
  const defaultProxy = systemNet?.children.find((child) => child.name.toLowerCase() === 'defaultproxy');
  if (!defaultProxy) return [];
  return [
    finding(
      'miiserver_config_proxy',
      'warning',
      `${path} carries its own <system.net><defaultProxy> settings. For the sync engine they replace machine.config's, so what the agent reads from machine.config may not be what the sync engine uses, and the next upgrade overwrites this file. The article's note: "${MIISERVER_NOTE}"`,
      `Move the proxy settings to machine.config and remove them from miiserver.exe.config. ${RESTART_REMEDY}`,
    ),
  ];
}
