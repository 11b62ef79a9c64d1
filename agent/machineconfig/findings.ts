// The machine.config findings: their closed set of codes, the article's words every remedy builds on, and the
// findings several steps (reading, parsing, judging) raise alike.
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

// The article's own words, used as the base of every remedy.
export const RESTART_REMEDY =
  'Make sure that machine.config is correctly configured and that the Microsoft Entra ID Sync service has been restarted once after the machine.config file update.';
export const MIISERVER_NOTE =
  'Some non-Microsoft blogs indicate you should make changes to miiserver.exe.config instead of the machine.config file. However, the miiserver.exe.config file is overwritten on every upgrade. Even if the file works during the initial installation, the system stops working during the first upgrade. For that reason, we recommend that you update machine.config as described in this article.';
export const FABRIKAM_EXAMPLE =
  '<system.net><defaultProxy useDefaultCredentials="true"><proxy usesystemdefault="false" proxyaddress="http://fabrikamproxy:8080" bypassonlocal="false"/></defaultProxy></system.net>';

export function finding(code: MachineConfigFindingCode, severity: Finding['severity'], message: string, remedy: string): Finding {
  return { code, severity, message, remedy };
}

/** No section, or one that sets nothing: .NET then falls back to WinINET (DefaultProxySectionInternal). */
export function noDefaultProxyFinding(what: string): Finding {
  return finding(
    'no_default_proxy',
    'warning',
    `${what}. The sync engine then uses the Internet Explorer (WinINET) proxy settings of the account running the service, which are usually empty, so it goes direct to Microsoft Entra ID. That is only right if this server reaches the internet without a proxy.`,
    `If this server must use a proxy, add it to machine.config as in the article's example: ${FABRIKAM_EXAMPLE}. ${RESTART_REMEDY}`,
  );
}

export function nameCaseFinding(path: string, found: string, expected: string): Finding {
  return finding(
    'name_case',
    'error',
    `${path}: ${found} should be spelt ${expected}. The agent reads it anyway, but .NET matches configuration names exactly and refuses the file ("Note that attribute names are case-sensitive").`,
    `Spell it ${expected}. ${RESTART_REMEDY}`,
  );
}

export function invalidSetting(path: string, problem: string, fix: string): Finding {
  return finding('invalid_setting', 'error', `${path}: ${problem}`, `${fix} ${RESTART_REMEDY}`);
}

/** Hides credentials written into a URI ("http://user:secret@proxy") before it goes into a message. */
export function redact(value: string): string {
  return value.replace(/\/\/[^/@\s]*@/g, '//***@');
}
