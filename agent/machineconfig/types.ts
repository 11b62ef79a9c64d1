// What reading a machine.config yields: the <defaultProxy> settings as .NET sees them, and the findings.
import type { Finding } from '../finding.js';

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

/** What readDefaultProxy learnt: the usable settings, plus what judging them needs and MachineConfigProxy leaves out. */
export interface DefaultProxySettings {
  proxy: MachineConfigProxy;
  /** A proxyaddress that was written but is not usable, with why. */
  addressProblem?: { raw: string; problem: string };
  /** True when the file sets anything that makes .NET build its proxy from machine.config instead of WinINET. */
  anythingSet: boolean;
}
