// The Entra Connect server itself: a sync version below the mandatory one (the server no longer syncs), and WinHTTP
// going direct while machine.config names a proxy (revocation checks fail behind a proxy-only firewall).
import { M } from '../metrics.js';
import { THRESHOLDS, prose } from '../thresholds.js';
import { perTarget, type AlertRule } from './rule.js';

const forSeconds = THRESHOLDS.hostFindingForSeconds;
const finding = (code: string) => `max by (job, instance) (${M.hostFinding}{code="${code}"}) == 1`;

export const hostRules: AlertRule[] = [
  {
    alert: 'EntraConnectSyncVersionUnsupported',
    expr: finding('sync_version_unsupported'),
    forSeconds,
    // Paging stays for required endpoints (the project's rule); a server below the mandatory version warns.
    severity: 'warning',
    summary: 'Entra Connect Sync on {{ $labels.instance }} is below version 2.5.79.0',
    description: [
      `For ${prose(forSeconds)} the agent on {{ $labels.instance }} has read an installed Microsoft Entra Connect Sync`,
      `{{- range ${perTarget(M.hostInfo, ['job', 'instance'])} | query }} {{ .Labels.sync_version }}{{ end }} below 2.5.79.0.`,
      'The prerequisites page: "All synchronization services in Microsoft Entra Connect Sync will stop working on September 30, 2026 if you\'re not on at least version 2.5.79.0."',
      'Remedy: "If you\'re unable to upgrade before the deadline, all synchronization services will fail until you upgrade to the latest version. The Microsoft Entra Connect Sync installation file is exclusively available on Microsoft Entra Admin Center." (Microsoft Entra Connect: Prerequisites and hardware)',
    ].join('\n'),
  },
  {
    alert: 'EntraConnectWinHttpDirectBehindProxy',
    expr: finding('winhttp_direct_behind_proxy'),
    forSeconds,
    severity: 'warning',
    summary: 'WinHTTP on {{ $labels.instance }} goes direct while machine.config uses a proxy',
    description: [
      `For ${prose(forSeconds)} machine.config on {{ $labels.instance }} has sent the sync engine through a proxy while WinHTTP goes direct. Windows fetches certificate revocation lists and OCSP answers through CryptoAPI, which uses WinHTTP's proxy: behind a firewall that only lets the proxy out, revocation checks fail while the sync engine's own requests work.`,
      'Remedy: set WinHTTP\'s proxy to the one machine.config names, from an elevated Command Prompt: `netsh winhttp set proxy <proxy>:<port> "<local>;<bypass list>"` (Use Group Policy to apply WinHTTP proxy settings to Windows clients). Run `entra-connect-monitor check` there for the detail.',
    ].join('\n'),
  },
];
