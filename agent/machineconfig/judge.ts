// Judging the settings read from <defaultProxy>: what the sync engine will do with them, as findings with the
// article's remedies.
import type { Finding } from '../finding.js';
import { convertDotNetRegex } from './dotnet-regex.js';
import { FABRIKAM_EXAMPLE, finding, noDefaultProxyFinding, redact, RESTART_REMEDY } from './findings.js';
import type { DefaultProxySettings } from './types.js';

export function judgeProxySettings(settings: DefaultProxySettings, path: string): Finding[] {
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
