// The closed set of proxy-log findings, with messages and remedies in the article's words.
import { REMEDIES } from '../probes/classify.js';
import type { Finding } from '../finding.js';

export const PROXYLOG_FINDING_CODES = [
  'endpoint_denied',
  'proxy_auth_required',
  'proxy_error',
  'idle_timeout_signature',
  'regional_endpoint',
  'sequence',
] as const;
export type ProxyLogFindingCode = (typeof PROXYLOG_FINDING_CODES)[number];

export interface ProxyLogFinding extends Finding {
  code: ProxyLogFindingCode;
  host: string;
  /** Log lines behind the finding. */
  count: number;
  /** idle_timeout_signature: the duration at which the proxy cut the tunnels. */
  seconds?: number;
  /** ISO times of the first and last line behind the finding (null when the format carries no time). */
  firstSeen: string | null;
  lastSeen: string | null;
  /** One log line behind the finding, as written. */
  example: string;
  /** regional_endpoint: a catalogue entry (YAML) that adds the host to the probes. */
  snippet?: string;
}

export const IDLE_TIMEOUT_REMEDY =
  'Ensure that the proxy idle timeout is configured to be greater than 5 minutes. Otherwise, you might have intermittent connectivity issues with Microsoft Entra ID on the Microsoft Entra Connect server. ' +
  'When Microsoft Entra Connect sends an export request to Microsoft Entra ID, Microsoft Entra ID can take up to 5 minutes to process the request before generating a response.';

export const REGIONAL_ENDPOINT_REMEDY =
  "The endpoints adminwebservice and provisioningapi are discovery endpoints, and they're used to find the actual endpoint to use. These endpoints are different depending on your region. " +
  'Add this host to the probes (the snippet is a catalogue entry) so the monitor tests the endpoint the sync engine really uses.';

export const SEQUENCE_REMEDY =
  'The reference proxy log in the article describes a normal and successful connectivity pattern. ' +
  'Where the sequence stops, look at the next host it should reach: make sure the proxy allows it and that the requests before it succeeded.';

export const ERROR_REMEDIES = {
  endpoint_denied: REMEDIES.proxy_denied,
  proxy_auth_required: REMEDIES.proxy_auth_required,
  proxy_error: REMEDIES.proxy_error,
} as const;

/** The article's "Connect to Microsoft Entra ID" reference, and the distinct steps it reaches in order. */
export const REFERENCE_SEQUENCE = ['login', 'adminwebservice', 'anchor', 'login', 'provisioningapi', 'relay'] as const;
export const REFERENCE_STEPS = [...new Set(REFERENCE_SEQUENCE)];
