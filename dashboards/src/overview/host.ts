// The Entra Connect server itself: what the agent read from its registry, its current findings, and each route's
// revocation path (WinHTTP's, as CryptoAPI takes it, or the route's own).
import { M } from '../metrics.js';
import type { Layout } from '../grafana/dashboard.js';
import { organize, override, table, tablePanel, thresholds } from '../grafana/panels.js';
import { inst, instRoute } from '../selectors.js';

export function host(d: Layout): void {
  d.row('Entra Connect server');
  d.line(
    6,
    [
      tablePanel(
        'Server',
        'What the agent read from the Entra Connect server\'s registry: the Windows Server release (from CurrentBuildNumber), the installed Entra Connect Sync version (uninstall entries; 2.5.79.0 or later is mandatory) and the .NET Framework 4.x Release (461808 is 4.7.2, the minimum). Empty when the agent runs elsewhere without exported registry files (host.registry).',
        [table('A', `max by (os_version, sync_version, dotnet_release) (${M.hostInfo}{${inst}})`)],
        { transformations: [organize(['os_version', 'sync_version', 'dotnet_release'], { os_version: 'Windows', sync_version: 'Entra Connect Sync', dotnet_release: '.NET release' }, ['Time', 'Value'])] },
      ),
      8,
    ],
    [
      tablePanel(
        'Server findings',
        'The current findings about the server: os_unsupported, sync_version_unsupported, sync_not_installed, dotnet_too_old, tls12_registry, winhttp_direct_behind_proxy, winhttp_differs, registry_unreadable. Run `entra-connect-monitor check` on the server for the message and Microsoft\'s remedy.',
        [table('A', `max by (code) (${M.hostFinding}{${inst}}) == 1`)],
        { transformations: [organize(['code'], {}, ['Time', 'Value'])] },
      ),
      8,
    ],
    [
      tablePanel(
        'Routes and their revocation path',
        'How each route finds its proxy (direct, proxy, machine_config, winhttp) and the route its certificate revocation checks (CRL, OCSP) take: CryptoAPI fetches them through WinHTTP\'s proxy, not machine.config\'s.',
        [table('A', `max by (route, kind, revocation) (${M.routeInfo}{${instRoute}})`)],
        {
          transformations: [organize(['route', 'kind', 'revocation'], { revocation: 'revocation via' }, ['Time', 'Value'])],
          overrides: [override('kind', { 'custom.cellOptions': { type: 'color-text' }, thresholds: thresholds([null, 'text']) })],
        },
      ),
      8,
    ],
  );
}
