// Parsing machine.config's <system.net><defaultProxy> the way the .NET Framework's configuration system does:
// exact names (a different case is reported), known attributes only, <bypasslist> edits in file order.
// Never throws: every problem with the text is a finding.
import type { Finding } from '../finding.js';
import { finding, invalidSetting, nameCaseFinding, noDefaultProxyFinding, redact, RESTART_REMEDY } from './findings.js';
import { judgeProxySettings } from './judge.js';
import { DEFAULT_MACHINE_CONFIG_PATH } from './paths.js';
import type { DefaultProxySettings, MachineConfigProxy, MachineConfigResult } from './types.js';
import { parseXml, type XmlElement } from './xml.js';

/** Parses machine.config text. Never throws: every problem with the text is a finding. */
export function parseMachineConfig(text: string, path: string): MachineConfigResult {
  const parsed = parseXml(text, path);
  if ('finding' in parsed) return { path, findings: [parsed.finding] };
  const findings: Finding[] = [];
  const root = parsed.root;
  if (root.name !== 'configuration') {
    findings.push(
      finding(
        'not_machine_config',
        'error',
        `${path} is not a .NET configuration file: its top element is <${root.name}>, not <configuration>.`,
        `Check that the agent reads the machine.config of .NET Framework 4 (${DEFAULT_MACHINE_CONFIG_PATH}). ${RESTART_REMEDY}`,
      ),
    );
    return { path, findings };
  }
  const section = findDefaultProxySection(root, path, findings);
  if (!section) {
    findings.push(noDefaultProxyFinding(`${path} has no <system.net><defaultProxy> section`));
    return { path, findings };
  }
  const settings = readDefaultProxy(section, path, findings);
  findings.push(...judgeProxySettings(settings, path));
  return { path, proxy: settings.proxy, findings };
}

// Attribute names .NET's configuration system knows on every element; they are not proxy settings.
const GENERIC_CONFIG_ATTRIBUTES = [
  'configSource',
  'lockAttributes',
  'lockAllAttributesExcept',
  'lockElements',
  'lockAllElementsExcept',
  'lockItem',
  'xmlns',
];

/**
 * Finds <system.net><defaultProxy>. .NET matches element names exactly; real files vary, so we accept any case and
 * report the difference (`name_case`), because .NET itself would refuse the misspelt section.
 */
function findDefaultProxySection(root: XmlElement, path: string, findings: Finding[]): XmlElement | undefined {
  const systemNet = findSingleChild(root, 'system.net', path, findings);
  if (!systemNet) return undefined;
  return findSingleChild(systemNet, 'defaultProxy', path, findings);
}

function findSingleChild(parent: XmlElement, expected: string, path: string, findings: Finding[]): XmlElement | undefined {
  const matches = parent.children.filter((child) => child.name.toLowerCase() === expected.toLowerCase());
  const [first] = matches;
  if (!first) return undefined;
  if (first.name !== expected) findings.push(nameCaseFinding(path, `element <${first.name}>`, `<${expected}>`));
  if (matches.length > 1) {
    findings.push(
      invalidSetting(path, `<${expected}> appears ${matches.length} times inside <${parent.name}>; .NET allows it once and refuses the file ("Sections must only appear once per config file").`, `Keep one <${expected}> and merge the settings into it.`),
    );
  }
  return first;
}

/**
 * Reads the attributes an element may carry into a map keyed by their .NET spelling. Names are matched without
 * regard to case; a different case or an unknown name is reported, because .NET refuses both
 * ("Unrecognized attribute ... Note that attribute names are case-sensitive").
 */
function readAttributes(element: XmlElement, known: readonly string[], path: string, findings: Finding[]): Map<string, string> {
  const values = new Map<string, string>();
  const entries = Object.entries(element.attributes);
  // Exact spellings first, so that proxyaddress="a" ProxyAddress="b" keeps "a", as .NET would read it.
  entries.sort(([a], [b]) => Number(!known.includes(a)) - Number(!known.includes(b)));
  for (const [name, value] of entries) {
    const canonical = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (canonical === undefined) {
      if (GENERIC_CONFIG_ATTRIBUTES.some((g) => g.toLowerCase() === name.toLowerCase())) continue;
      findings.push(
        invalidSetting(path, `<${element.name}> has an attribute "${name}" that .NET does not know (it knows ${known.join(', ')}); .NET refuses the file ("Unrecognized attribute").`, `Remove "${name}" or correct its spelling.`),
      );
      continue;
    }
    if (canonical !== name) findings.push(nameCaseFinding(path, `attribute "${name}" on <${element.name}>`, `"${canonical}"`));
    if (!values.has(canonical)) values.set(canonical, value);
  }
  return values;
}

/** "true"/"false" (any case). `allowUnspecified` for .NET's three-valued proxy settings. */
function readSwitch(
  values: Map<string, string>,
  name: string,
  element: string,
  allowUnspecified: boolean,
  path: string,
  findings: Finding[],
): boolean | undefined {
  const raw = values.get(name);
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (allowUnspecified && value === 'unspecified') return undefined;
  const allowed = allowUnspecified ? '"true", "false" or "unspecified"' : '"true" or "false"';
  findings.push(invalidSetting(path, `${name}="${redact(raw)}" on <${element}> is not ${allowed}; .NET refuses the file.`, `Set ${name} to ${allowed}.`));
  return undefined;
}

function readDefaultProxy(section: XmlElement, path: string, findings: Finding[]): DefaultProxySettings {
  const sectionValues = readAttributes(section, ['enabled', 'useDefaultCredentials'], path, findings);
  const proxy: MachineConfigProxy = {
    path,
    enabled: readSwitch(sectionValues, 'enabled', section.name, false, path, findings) ?? true,
    useDefaultCredentials: readSwitch(sectionValues, 'useDefaultCredentials', section.name, false, path, findings) ?? false,
    bypassOnLocal: false,
    bypassList: [],
  };
  let addressProblem: DefaultProxySettings['addressProblem'];
  let bypassOnLocalSet = false;
  let moduleSet = false;

  for (const child of section.children) {
    if (!['proxy', 'bypasslist', 'module'].includes(child.name.toLowerCase())) {
      findings.push(invalidSetting(path, `<defaultProxy> contains <${child.name}>, which .NET does not know; .NET refuses the file ("Unrecognized element").`, `Remove <${child.name}>; <defaultProxy> holds only <proxy>, <bypasslist> and <module>.`));
    }
  }

  const proxyElement = findSingleChild(section, 'proxy', path, findings);
  if (proxyElement) {
    const values = readAttributes(proxyElement, ['autoDetect', 'bypassonlocal', 'proxyaddress', 'scriptLocation', 'usesystemdefault'], path, findings);
    proxy.useSystemDefault = readSwitch(values, 'usesystemdefault', proxyElement.name, true, path, findings);
    const bypassOnLocal = readSwitch(values, 'bypassonlocal', proxyElement.name, true, path, findings);
    bypassOnLocalSet = bypassOnLocal !== undefined;
    proxy.bypassOnLocal = bypassOnLocal ?? false;
    proxy.autoDetect = readSwitch(values, 'autoDetect', proxyElement.name, true, path, findings);
    const scriptLocation = values.get('scriptLocation')?.trim();
    if (scriptLocation) proxy.scriptLocation = scriptLocation;
    const address = values.get('proxyaddress')?.trim();
    if (address) {
      const normalised = normaliseProxyAddress(address);
      if ('address' in normalised) proxy.proxyAddress = normalised.address;
      else addressProblem = { raw: address, problem: normalised.problem };
    }
    if (proxy.useSystemDefault === undefined) delete proxy.useSystemDefault;
    if (proxy.autoDetect === undefined) delete proxy.autoDetect;
  }

  const bypassElement = findSingleChild(section, 'bypasslist', path, findings);
  if (bypassElement) proxy.bypassList = readBypassList(bypassElement, path, findings);

  const moduleElement = findSingleChild(section, 'module', path, findings);
  if (moduleElement) moduleSet = Boolean(readAttributes(moduleElement, ['type'], path, findings).get('type')?.trim());

  // Mirrors .NET's DefaultProxySectionInternal: when none of these is set, .NET ignores the section and uses the
  // WinINET settings (or, with usesystemdefault="false", no proxy at all).
  const anythingSet =
    proxy.autoDetect !== undefined ||
    proxy.scriptLocation !== undefined ||
    moduleSet ||
    proxy.useSystemDefault === true ||
    proxy.proxyAddress !== undefined ||
    addressProblem !== undefined ||
    bypassOnLocalSet ||
    proxy.bypassList.length > 0;
  return { proxy, addressProblem, anythingSet };
}

/** <add address>, <remove address> and <clear/> applied in file order, as .NET's configuration collections do. */
function readBypassList(bypassElement: XmlElement, path: string, findings: Finding[]): string[] {
  const entries: string[] = [];
  for (const item of bypassElement.children) {
    const kind = item.name.toLowerCase();
    const known = kind === 'clear' || kind === 'add' || kind === 'remove';
    if (known && item.name !== kind) findings.push(nameCaseFinding(path, `element <${item.name}>`, `<${kind}>`));
    if (kind === 'clear') {
      readAttributes(item, [], path, findings);
      entries.length = 0;
      continue;
    }
    if (!known) {
      findings.push(invalidSetting(path, `<bypasslist> contains <${item.name}>, which .NET does not know; .NET refuses the file ("Unrecognized element").`, 'A <bypasslist> holds only <add address="..."/>, <remove address="..."/> and <clear/>.'));
      continue;
    }
    const values = readAttributes(item, ['address'], path, findings);
    const address = values.get('address');
    if (address === undefined) {
      findings.push(invalidSetting(path, `a <${kind}> in <bypasslist> has no address attribute; .NET refuses the file ("Required attribute 'address' not found").`, `Give the <${kind}> an address="..." (a regular expression), or remove it.`));
      continue;
    }
    // The address is the collection key: adding an existing one replaces it, removing drops it.
    const existing = entries.findIndex((entry) => entry === address);
    if (existing >= 0) entries.splice(existing, 1);
    if (kind === 'add') entries.push(address);
  }
  return entries;
}

/** Accepts only an absolute http:// URI with a host, as the sync engine's .NET Framework needs. */
function normaliseProxyAddress(raw: string): { address: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'it is not an absolute URI (write it as http://host:port)' };
  }
  if (url.protocol === 'https:') {
    return { problem: 'the .NET Framework that runs the sync engine talks to a proxy in plain HTTP only (write http://host:port; tunnels to https:// sites are still encrypted)' };
  }
  if (url.protocol !== 'http:') {
    // "fabrikamproxy:8080" parses as a URI whose scheme is "fabrikamproxy": the commonest slip.
    return { problem: `it starts with "${url.protocol}" instead of "http:" (write it as http://host:port)` };
  }
  if (!url.hostname) return { problem: 'it names no host' };
  return { address: `http://${url.hostname}:${url.port || '80'}` };
}
