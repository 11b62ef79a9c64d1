// Host findings: sync01 reports an unsupported sync version and WinHTTP direct behind a proxy from minute 2;
// sync02 has neither (its finding series are 0) and must stay quiet.
import { M } from '../../metrics.js';
import { THRESHOLDS, prose } from '../../thresholds.js';
import { AGENT, INSTANCE, aroundFor, expected, minutes, quiet, series, type TestGroup } from './fixtures.js';

const FOR = THRESHOLDS.hostFindingForSeconds;
const ONSET = 2;
const K = ONSET + minutes(FOR) + 10;
const OTHER = 'sync02:9815';
const badFrom = (good: string, bad: string) => `${`${good} `.repeat(ONSET)}${bad}x${K - ONSET}`;

export const hostFindings: TestGroup = {
  comment: `Entra Connect server findings: sync01 reads sync 2.4.18.0 and WinHTTP going direct behind machine.config's proxy from minute ${ONSET}, firing after ${prose(FOR)}; sync02 (2.5.79.0, WinHTTP through the proxy) stays quiet.`,
  input_series: [
    series(M.hostInfo, { os_version: 'server_2022', sync_version: '2.4.18.0', dotnet_release: '528040' }, `1x${K}`),
    series(M.hostFinding, { code: 'sync_version_unsupported' }, badFrom('0', '1')),
    series(M.hostFinding, { code: 'winhttp_direct_behind_proxy' }, badFrom('0', '1')),
    series(M.hostInfo, { os_version: 'server_2022', sync_version: '2.5.79.0', dotnet_release: '528040' }, `1x${K}`, OTHER),
    series(M.hostFinding, { code: 'sync_version_unsupported' }, `0x${K}`, OTHER),
    series(M.hostFinding, { code: 'winhttp_direct_behind_proxy' }, `0x${K}`, OTHER),
  ],
  alert_rule_test: [
    quiet(ONSET, 'EntraConnectSyncVersionUnsupported'),
    ...aroundFor(
      ONSET,
      FOR,
      'EntraConnectSyncVersionUnsupported',
      expected(
        { severity: 'warning', ...AGENT },
        `Entra Connect Sync on ${INSTANCE} is below version 2.5.79.0`,
        `For ${prose(FOR)} the agent on ${INSTANCE} has read an installed Microsoft Entra Connect Sync 2.4.18.0 below 2.5.79.0.\n` +
          'The prerequisites page: "All synchronization services in Microsoft Entra Connect Sync will stop working on September 30, 2026 if you\'re not on at least version 2.5.79.0."\n' +
          'Remedy: "If you\'re unable to upgrade before the deadline, all synchronization services will fail until you upgrade to the latest version. The Microsoft Entra Connect Sync installation file is exclusively available on Microsoft Entra Admin Center." (Microsoft Entra Connect: Prerequisites and hardware)',
      ),
    ),
    ...aroundFor(
      ONSET,
      FOR,
      'EntraConnectWinHttpDirectBehindProxy',
      expected(
        { severity: 'warning', ...AGENT },
        `WinHTTP on ${INSTANCE} goes direct while machine.config uses a proxy`,
        `For ${prose(FOR)} machine.config on ${INSTANCE} has sent the sync engine through a proxy while WinHTTP goes direct. Windows fetches certificate revocation lists and OCSP answers through CryptoAPI, which uses WinHTTP's proxy: behind a firewall that only lets the proxy out, revocation checks fail while the sync engine's own requests work.\n` +
          'Remedy: set WinHTTP\'s proxy to the one machine.config names, from an elevated Command Prompt: `netsh winhttp set proxy <proxy>:<port> "<local>;<bypass list>"` (Use Group Policy to apply WinHTTP proxy settings to Windows clients). Run `entra-connect-monitor check` there for the detail.',
      ),
    ),
  ],
};
