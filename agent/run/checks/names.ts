// The closed set of check names: what `check` runs in the article's order and `explain` entries may name.
// `endpoint:<id>` names one catalogue endpoint (whether the id exists depends on the cloud, so it is checked
// against a catalogue where one is at hand).
// - host: the Entra Connect server itself (Windows, sync version, .NET, TLS 1.2 registry values, WinHTTP)
// - machine_config: the .NET proxy settings in machine.config
// - proxy_reachable: TCP to the configured proxy
// - connectivity_test: the article's test, adminwebservice .../ProvisioningService.svc through the proxy
// - endpoints: every endpoint of the cloud's catalogue
// - revocation: the CRL and OCSP URLs the served certificate chains name, over the revocation route
// - idle: whether the proxy keeps an idle tunnel open longer than 5 minutes
// - signin_discovery: user realm and tenant discovery on the login host
export const CHECK_NAMES = ['host', 'machine_config', 'proxy_reachable', 'connectivity_test', 'endpoints', 'revocation', 'idle', 'signin_discovery'] as const;
export type FixedCheckName = (typeof CHECK_NAMES)[number];
export type CheckName = FixedCheckName | `endpoint:${string}`;

/** An `endpoint:<id>` check name; the id follows the catalogue's rule for ids. */
const ENDPOINT_CHECK = /^endpoint:([a-z0-9][a-z0-9_-]{0,62})$/;

export function isCheckName(value: string): value is CheckName {
  if ((CHECK_NAMES as readonly string[]).includes(value)) return true;
  return ENDPOINT_CHECK.test(value);
}

/** The endpoint id a check name refers to, or undefined for the other checks. */
export function endpointOfCheck(name: CheckName): string | undefined {
  return ENDPOINT_CHECK.exec(name)?.[1];
}
