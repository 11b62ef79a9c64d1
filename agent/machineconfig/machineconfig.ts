// machine.config: the proxy settings the sync engine actually uses.
//
// Microsoft Entra Connect's wizard and sync engine are .NET Framework applications, so they take their proxy from
// <configuration><system.net><defaultProxy> in machine.config (the article: "make sure that machine.config is
// correctly configured"). This module reads that section the way the .NET Framework does, decides for a URL whether
// .NET would send it through the proxy or go direct, and turns what it finds into Findings with the article's
// remedies. It never throws on a file's content: every problem with the file is a Finding.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { win32 } from 'node:path';
import { createRequire } from 'node:module';
import type { XMLParser as XmlParserType, XMLValidator as XmlValidatorType } from 'fast-xml-parser';
import type { Endpoint } from '../config/catalogue.js';
import type { Finding } from '../finding.js';

/** Closed set of finding codes this module produces. */
export const MACHINE_CONFIG_FINDING_CODES = [
  'unreadable',
  'malformed_xml',
  'not_machine_config',
  'name_case',
  'invalid_setting',
  'no_default_proxy',
  'proxy_disabled',
  'proxy_address_invalid',
  'use_system_default',
  'pac_script',
  'auto_detect',
  'bypass_entry_invalid',
  'bypass_entry_unsupported',
  'bypass_catches_endpoint',
  'miiserver_config_proxy',
] as const;
export type MachineConfigFindingCode = (typeof MACHINE_CONFIG_FINDING_CODES)[number];

export interface MachineConfigProxy {
  path: string;
  enabled: boolean;
  useDefaultCredentials: boolean;
  /** Normalised "http://host:port" (port always written, no credentials, no path); absent when missing or invalid. */
  proxyAddress?: string;
  bypassOnLocal: boolean;
  /** The <bypasslist> entries left after <add>, <remove> and <clear/>, in file order: .NET regular expressions. */
  bypassList: string[];
  scriptLocation?: string;
  /** Present only when the file sets it to true or false. */
  autoDetect?: boolean;
  /** Present only when the file sets it to true or false. */
  useSystemDefault?: boolean;
}

export interface MachineConfigResult {
  path: string;
  /** Absent when the file could not be read or parsed, or has no <system.net><defaultProxy>. */
  proxy?: MachineConfigProxy;
  findings: Finding[];
}

export type RouteDecision = { via: 'proxy'; proxy: string } | { via: 'direct'; why: string };

// The article's own words, used as the base of every remedy.
const RESTART_REMEDY =
  'Make sure that machine.config is correctly configured and that the Microsoft Entra ID Sync service has been restarted once after the machine.config file update.';
const MIISERVER_NOTE =
  'Some non-Microsoft blogs indicate you should make changes to miiserver.exe.config instead of the machine.config file. However, the miiserver.exe.config file is overwritten on every upgrade. Even if the file works during the initial installation, the system stops working during the first upgrade. For that reason, we recommend that you update machine.config as described in this article.';
const FABRIKAM_EXAMPLE =
  '<system.net><defaultProxy useDefaultCredentials="true"><proxy usesystemdefault="false" proxyaddress="http://fabrikamproxy:8080" bypassonlocal="false"/></defaultProxy></system.net>';

/** %windir%\Microsoft.NET\Framework64\v4.0.30319\Config\machine.config, with %windir% taken from `env` when set. */
export function defaultMachineConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  // Windows environment names are case-insensitive; elsewhere (tests, a copied file) look for any spelling.
  const windirKey = Object.keys(env).find((key) => key.toLowerCase() === 'windir');
  const windir = (windirKey && env[windirKey]) || 'C:\\Windows';
  return win32.join(windir, 'Microsoft.NET', 'Framework64', 'v4.0.30319', 'Config', 'machine.config');
}

export const DEFAULT_MACHINE_CONFIG_PATH = defaultMachineConfigPath();

/** Where Microsoft Entra Connect installs the sync engine's own config file by default. */
export const DEFAULT_MIISERVER_CONFIG_PATH = 'C:\\Program Files\\Microsoft Azure AD Sync\\Bin\\miiserver.exe.config';

// ---------------------------------------------------------------------------------------------------------------
// Reading the file

/** Reads and parses a machine.config. A file that can't be read becomes an `unreadable` finding, never a throw. */
export function loadMachineConfig(path: string): MachineConfigResult {
  const read = readConfigText(path);
  if ('problem' in read) {
    return {
      path,
      findings: [
        finding(
          'unreadable',
          'error',
          `The agent cannot read ${path}: ${read.problem}. Without it the agent cannot tell which proxy the sync engine uses.`,
          `Run the agent on the Microsoft Entra Connect server under an account that can read machine.config, or point it at a copy of the file. ${RESTART_REMEDY}`,
        ),
      ],
    };
  }
  return parseMachineConfig(read.text, path);
}

function readConfigText(path: string): { text: string } | { problem: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { problem: describeReadError(err) };
  }
  return { text: decodeConfigBytes(bytes) };
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'there is no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return code ? `the system refused it (${code})` : 'the system refused it';
  }
}

// Notepad and older tools save config files as UTF-16 with a byte order mark; .NET reads those too.
function decodeConfigBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

// The XML parser (and its thirty-odd modules) is loaded on the first machine.config read, so that an agent whose
// routes do not read one does not carry it.
let xml: { parser: XmlParserType; validator: typeof XmlValidatorType } | undefined;
function xmlTools(): NonNullable<typeof xml> {
  if (xml) return xml;
  const fxp = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  const parser = new fxp.XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true, // <add>, <remove> and <clear/> in a bypass list take effect in file order
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  return (xml = { parser, validator: fxp.XMLValidator });
}

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

function parseXml(text: string, path: string): { root: XmlElement } | { finding: Finding } {
  const source = text.startsWith('\ufeff') ? text.slice(1) : text;
  const malformed = (where: string, problem: string): { finding: Finding } => ({
    finding: finding(
      'malformed_xml',
      'error',
      `${path} is not well-formed XML${where}: ${problem}. .NET refuses to load it, so the sync engine and the wizard cannot make web requests.`,
      `Fix the XML at that place (compare with the article's example: ${FABRIKAM_EXAMPLE}). ${RESTART_REMEDY}`,
    ),
  });
  try {
    const validation = xmlTools().validator.validate(source);
    if (validation !== true) {
      const { line, col, msg } = validation.err;
      const where = line ? ` at line ${line}${col ? `, column ${col}` : ''}` : '';
      return malformed(where, plainXmlProblem(msg));
    }
    const roots = toElements(xmlTools().parser.parse(source));
    const [root, ...others] = roots;
    if (!root) return malformed('', 'it has no elements');
    if (others.length > 0) return malformed('', `it has more than one top-level element (<${root.name}> and <${others[0]!.name}>)`);
    return { root };
  } catch (err) {
    // The validator passed but the parser still refused (entity limits and the like): report, don't crash.
    return malformed('', plainXmlProblem(err instanceof Error ? err.message.split('\n')[0]! : 'the XML parser refused it'));
  }
}

function plainXmlProblem(message: string): string {
  return message.replace(/\.$/, '');
}

function toElements(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    const name = Object.keys(record).find((key) => key !== ':@' && !key.startsWith('#') && !key.startsWith('?') && !key.startsWith('!'));
    if (name === undefined) continue;
    const rawAttributes = record[':@'];
    const attributes: Record<string, string> = {};
    if (typeof rawAttributes === 'object' && rawAttributes !== null) {
      for (const [key, value] of Object.entries(rawAttributes)) attributes[key] = String(value);
    }
    elements.push({ name, attributes, children: toElements(record[name]) });
  }
  return elements;
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

/** What readDefaultProxy learnt: the usable settings, plus what judging them needs and MachineConfigProxy leaves out. */
interface DefaultProxySettings {
  proxy: MachineConfigProxy;
  /** A proxyaddress that was written but is not usable, with why. */
  addressProblem?: { raw: string; problem: string };
  /** True when the file sets anything that makes .NET build its proxy from machine.config instead of WinINET. */
  anythingSet: boolean;
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

// ---------------------------------------------------------------------------------------------------------------
// Judging the settings

function judgeProxySettings(settings: DefaultProxySettings, path: string): Finding[] {
  const { proxy, addressProblem } = settings;
  const findings: Finding[] = [];
  const compiled = proxy.bypassList.map((entry) => ({ entry, conversion: convertDotNetRegex(entry) }));
  for (const { entry, conversion } of compiled) {
    if (conversion.ok) continue;
    if (conversion.unsupported) {
      findings.push(
        finding(
          'bypass_entry_unsupported',
          'warning',
          `The bypass entry "${entry}" uses ${conversion.problem}, which the agent cannot evaluate; it ignores this entry when it decides which endpoints skip the proxy.`,
          `Rewrite the entry without that construct if you want the agent to check it. ${RESTART_REMEDY}`,
        ),
      );
    } else {
      findings.push(
        finding(
          'bypass_entry_invalid',
          'error',
          `The bypass entry "${entry}" is not a valid .NET regular expression (${conversion.problem}). The .NET Framework then refuses the whole <defaultProxy> section, so web requests from the sync engine and the wizard fail.`,
          `Bypass entries are regular expressions, not wildcards: write "[a-z]+\\.contoso\\.com$" rather than "*.contoso.com". ${RESTART_REMEDY}`,
        ),
      );
    }
  }

  if (!proxy.enabled) {
    findings.push(
      finding(
        'proxy_disabled',
        'warning',
        `<defaultProxy enabled="false"> in ${path}: .NET ignores every other proxy setting, so the sync engine and the wizard go direct to Microsoft Entra ID.`,
        `If this server must use a proxy, set enabled="true" (or remove the attribute). ${RESTART_REMEDY}`,
      ),
    );
    return findings;
  }

  if (proxy.useSystemDefault === true) {
    findings.push(
      finding(
        'use_system_default',
        'warning',
        `usesystemdefault="true": .NET also takes the Internet Explorer (WinINET) proxy settings of the account running the sync service. The agent cannot read those here, so it uses ${proxy.proxyAddress ? `the proxyaddress ${proxy.proxyAddress}` : 'a direct connection'} and the machine.config bypass list only.`,
        `Set usesystemdefault="false" and write the proxy explicitly, as in the article's example: ${FABRIKAM_EXAMPLE}. ${RESTART_REMEDY}`,
      ),
    );
  }
  const fallback = proxy.proxyAddress ? `the proxyaddress ${proxy.proxyAddress}` : 'a direct connection (there is no proxyaddress)';
  if (proxy.scriptLocation) {
    findings.push(
      finding(
        'pac_script',
        'warning',
        `scriptLocation="${redact(proxy.scriptLocation)}": .NET first asks this proxy auto-config (PAC) script where to send each request. The agent cannot run a PAC script, so it uses ${fallback}, which is also what .NET falls back to when the script fails.`,
        `Make sure the script sends the Microsoft Entra endpoints to the proxy you expect, or write the proxy explicitly with proxyaddress. ${RESTART_REMEDY}`,
      ),
    );
  }
  if (proxy.autoDetect === true) {
    findings.push(
      finding(
        'auto_detect',
        'warning',
        `autoDetect="true": .NET first looks for a proxy by Web Proxy Auto-Discovery (WPAD). The agent cannot follow WPAD, so it uses ${fallback}, which is also what .NET falls back to when discovery finds nothing.`,
        `Set autoDetect="false" and write the proxy explicitly with proxyaddress, so the sync engine's route does not depend on discovery. ${RESTART_REMEDY}`,
      ),
    );
  }

  if (addressProblem) {
    findings.push(
      finding(
        'proxy_address_invalid',
        'error',
        `proxyaddress="${redact(addressProblem.raw)}" is not usable: ${addressProblem.problem}. The sync engine cannot reach the proxy with it.`,
        `Write the proxy as an absolute URI with its port, as in the article's example: proxyaddress="http://fabrikamproxy:8080". ${RESTART_REMEDY}`,
      ),
    );
  } else if (!proxy.proxyAddress && !proxy.scriptLocation && proxy.autoDetect !== true && proxy.useSystemDefault !== true) {
    // usesystemdefault="false" alone is .NET's old way to say "no proxy": as wrong as a missing address.
    findings.push(
      settings.anythingSet || proxy.useSystemDefault === false
        ? finding(
            'proxy_address_invalid',
            'error',
            `<defaultProxy> in ${path} names no proxyaddress, so the sync engine goes direct to Microsoft Entra ID ("Unable to connect to the remote server" where a proxy is required).`,
            `Add the proxy address, as in the article's example: ${FABRIKAM_EXAMPLE}. ${RESTART_REMEDY}`,
          )
        : noDefaultProxyFinding(`<defaultProxy> in ${path} sets nothing`),
    );
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// Routing: what .NET's WebProxy decides for one URL

/**
 * Decides, as the .NET Framework's WebProxy does for the manual settings in machine.config, whether a request for
 * `url` goes through the proxy or direct (WebProxy.IsBypassedManual):
 *  1. the proxy is disabled, or there is no usable proxyaddress: direct;
 *  2. loopback hosts (localhost, 127.0.0.0/8, ::1) always go direct;
 *  3. bypassonlocal="true": hosts without a dot go direct. (.NET also treats the machine's own addresses and names in
 *     its primary DNS domain as local; the agent can't see those from here, so it does not.);
 *  4. each bypass entry is a .NET regular expression, case-insensitive and unanchored, matched against
 *     "scheme://host" with ":port" added only when the port is not the scheme's default (e.g. "https://host" or
 *     "http://host:8080"); any match goes direct;
 *  5. otherwise the proxy.
 * A PAC script, WPAD or WinINET settings (usesystemdefault) are not followed; entries the agent cannot convert are
 * skipped (parseMachineConfig reports them).
 */
export function routeDecision(proxy: MachineConfigProxy, url: URL): RouteDecision {
  const decision = explainRoute(proxy, url);
  return decision.via === 'proxy' ? { via: 'proxy', proxy: decision.proxy } : { via: 'direct', why: decision.why };
}

type ExplainedRoute =
  | { via: 'proxy'; proxy: string }
  | { via: 'direct'; why: string; rule: 'disabled' | 'no_address' | 'loopback' | 'local' | 'bypass'; entry?: string };

function explainRoute(proxy: MachineConfigProxy, url: URL): ExplainedRoute {
  if (!proxy.enabled) return { via: 'direct', rule: 'disabled', why: 'the proxy is disabled in machine.config (enabled="false")' };
  if (!proxy.proxyAddress) return { via: 'direct', rule: 'no_address', why: 'machine.config names no usable proxy address' };
  const host = url.hostname.toLowerCase();
  const bareHost = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isLoopback(bareHost)) return { via: 'direct', rule: 'loopback', why: `${host} is a loopback address, which .NET never sends to a proxy` };
  if (proxy.bypassOnLocal && isIP(bareHost) === 0 && !bareHost.includes('.')) {
    return { via: 'direct', rule: 'local', why: `bypassonlocal="true" and ${host} has no dot, so .NET treats it as local` };
  }
  const matchText = bypassMatchText(url);
  for (const entry of proxy.bypassList) {
    const conversion = convertDotNetRegex(entry);
    if (conversion.ok && conversion.regex.test(matchText)) {
      return { via: 'direct', rule: 'bypass', entry, why: `the bypass entry "${entry}" matches "${matchText}"` };
    }
  }
  return { via: 'proxy', proxy: proxy.proxyAddress };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1'; // URL has already written it in its shortest form
  return false;
}

/** The text .NET matches bypass entries against: scheme://host, plus :port when it isn't the scheme's default. */
function bypassMatchText(url: URL): string {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  return `${scheme}://${url.hostname.toLowerCase()}${url.port ? `:${url.port}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// .NET regular expressions to JavaScript

export type RegexConversion = { ok: true; regex: RegExp } | { ok: false; unsupported: boolean; problem: string };

/**
 * Converts a .NET regular expression to a case-insensitive JavaScript RegExp with the same meaning on the text .NET
 * matches bypass entries against (one line, "scheme://host[:port]"). Translated: \A, \Z, \z anchors; (?'name'...) groups;
 * \k'name'; \e and \a; (?#comments); inline options i, m, s, n (no effect on one case-insensitive line). A "]" right
 * after "[" is a literal in .NET. Not translated (`unsupported`): atomic and balancing groups, conditionals, character
 * class subtraction, \G, \p{...}, the x and -i options. Anything else .NET or JavaScript refuses is `unsupported: false`.
 */
export function convertDotNetRegex(pattern: string): RegexConversion {
  const unsupported = (problem: string): RegexConversion => ({ ok: false, unsupported: true, problem });
  const invalid = (problem: string): RegexConversion => ({ ok: false, unsupported: false, problem });
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return invalid('it ends with a lone backslash');
      i++;
      // .NET lets any non-word character be escaped (digits are backreferences); an unknown letter or "_" is an error.
      if (!/[A-Za-z_]/.test(next)) {
        out += `\\${next}`;
        continue;
      }
      if ('dDwWsSbBnrtfv'.includes(next)) out += `\\${next}`;
      else if (next === 'A' && !inClass) out += '^';
      else if ((next === 'Z' || next === 'z') && !inClass) out += '$';
      else if (next === 'e') out += '\\x1B';
      else if (next === 'a') out += '\\x07';
      else if (next === 'x') {
        const hex = pattern.slice(i + 1, i + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return invalid('\\x must be followed by two hex digits');
        out += `\\x${hex}`;
        i += 2;
      } else if (next === 'u') {
        const hex = pattern.slice(i + 1, i + 5);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return invalid('\\u must be followed by four hex digits');
        out += `\\u${hex}`;
        i += 4;
      } else if (next === 'c') {
        const letter = pattern[i + 1];
        if (!letter || !/[A-Za-z]/.test(letter)) return invalid('\\c must be followed by a letter');
        out += `\\c${letter}`;
        i += 1;
      } else if (next === 'k' && !inClass) {
        const name = /^(?:<([^>]+)>|'([^']+)')/.exec(pattern.slice(i + 1));
        if (!name) return invalid('\\k must be followed by a group name in <> or \'\'');
        out += `\\k<${name[1] ?? name[2]}>`;
        i += name[0].length;
      } else if (next === 'G') return unsupported('\\G (match where the last match ended)');
      else if (next === 'p' || next === 'P') return unsupported('a Unicode category (\\p{...})');
      else return invalid(`unrecognised escape \\${next}`);
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '-' && pattern[i + 1] === '[') return unsupported('character class subtraction (-[...])');
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      // In .NET a "]" first in a class is a literal; in JavaScript "[]" is an empty class.
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (/^(?::|=|!|<=|<!)/.test(rest)) {
        out += '(?';
        i += 1;
        continue;
      }
      if (rest.startsWith('#')) {
        const end = pattern.indexOf(')', i);
        if (end < 0) return invalid('a (?# comment is not closed');
        i = end;
        continue;
      }
      if (rest.startsWith('>')) return unsupported('an atomic group (?>...)');
      if (rest.startsWith('(')) return unsupported('a conditional (?(...)...)');
      const named = /^(?:<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(rest);
      if (named) {
        out += `(?<${named[1] ?? named[2]}>`;
        i += 1 + named[0].length;
        continue;
      }
      if (/^(?:<|')[^>']*-/.test(rest)) return unsupported('a balancing group (?<name-other>...)');
      const options = /^([imnsx]*)(?:-([imnsx]*))?([:)])/.exec(rest);
      if (options && (options[1] || options[2] !== undefined)) {
        const [, on = '', off = '', close] = options;
        if (on.includes('x') || off.includes('x')) return unsupported('the x (ignore white space) option');
        if (off.includes('i')) return unsupported('turning case-insensitivity off (-i)');
        // i is always on for bypass entries; m, s and n change nothing on a one-line text without backreferences.
        out += close === ':' ? '(?:' : '';
        i += 1 + options[0].length;
        continue;
      }
      return invalid('unrecognised grouping construct (?');
    }
    out += c;
  }
  if (inClass) return invalid('a [ character class is not closed');
  try {
    return { ok: true, regex: new RegExp(out, 'i') };
  } catch (err) {
    const message = err instanceof Error ? err.message : 'invalid';
    return invalid(message.slice(message.lastIndexOf(': ') + 2).toLowerCase());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Diagnosis against the endpoint catalogue

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

// ---------------------------------------------------------------------------------------------------------------
// Finding helpers

function finding(code: MachineConfigFindingCode, severity: Finding['severity'], message: string, remedy: string): Finding {
  return { code, severity, message, remedy };
}

/** No section, or one that sets nothing: .NET then falls back to WinINET (DefaultProxySectionInternal). */
function noDefaultProxyFinding(what: string): Finding {
  return finding(
    'no_default_proxy',
    'warning',
    `${what}. The sync engine then uses the Internet Explorer (WinINET) proxy settings of the account running the service, which are usually empty, so it goes direct to Microsoft Entra ID. That is only right if this server reaches the internet without a proxy.`,
    `If this server must use a proxy, add it to machine.config as in the article's example: ${FABRIKAM_EXAMPLE}. ${RESTART_REMEDY}`,
  );
}

function nameCaseFinding(path: string, found: string, expected: string): Finding {
  return finding(
    'name_case',
    'error',
    `${path}: ${found} should be spelt ${expected}. The agent reads it anyway, but .NET matches configuration names exactly and refuses the file ("Note that attribute names are case-sensitive").`,
    `Spell it ${expected}. ${RESTART_REMEDY}`,
  );
}

function invalidSetting(path: string, problem: string, fix: string): Finding {
  return finding('invalid_setting', 'error', `${path}: ${problem}`, `${fix} ${RESTART_REMEDY}`);
}

/** Hides credentials written into a URI ("http://user:secret@proxy") before it goes into a message. */
function redact(value: string): string {
  return value.replace(/\/\/[^/@\s]*@/g, '//***@');
}
