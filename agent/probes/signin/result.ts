// The result of sign-in discovery for one domain over one route: user realm, tenant and federation steps.
import type { Phase } from '../../net/types.js';
import type { Finding } from '../../finding.js';
import type { ResultHeader } from '../probe.js';
import type { FailureReason } from '../classify.js';

/** The steps of sign-in discovery, a closed set (the `step` label of entra_connect_signin_step_duration_seconds). */
export const SIGNIN_STEPS = ['realm', 'tenant', 'federation', 'other_cloud'] as const;
export type SignInStep = (typeof SIGNIN_STEPS)[number];

/** One request of sign-in discovery: which URL over which path, how long, and how it ended. */
export interface SignInStepResult {
  step: SignInStep;
  url: string;
  via: 'proxy' | 'direct';
  /** The request got an HTTP answer (whatever it said). */
  answered: boolean;
  durationSeconds: number;
  phases: Partial<Record<Phase, number>>;
  httpStatus?: number;
  proxyStatus?: number;
  reason?: FailureReason;
  detail?: string;
}

/** Sign-in discovery for one tenant domain over one route: user realm, tenant, and the federated identity provider. */
export interface SignInResult extends ResultHeader {
  kind: 'signin';
  route: string;
  /** The domain asked about (from a user principal name, its domain part), or a tenant id. */
  domain: string;
  cloud: string;
  /** The login host that answered the user realm request (or the first one tried). */
  loginHost: string;
  startedAt: number;
  durationSeconds: number;
  /** The login service was reached and answered the user realm request with the expected JSON. */
  success: boolean;
  /** As the login service wrote it (Managed, Federated, Unknown), printable and short. */
  namespaceType?: string;
  cloudInstanceName?: string;
  tenantId?: string;
  /** true: the tenant's OpenID configuration exists; false: AADSTS90002; absent: not known. */
  tenantFound?: boolean;
  tenantRegionScope?: string;
  authUrl?: string;
  federationProtocol?: string;
  /** For wrong_cloud: the cloud whose login service knows the domain. */
  knownInCloud?: string;
  steps: SignInStepResult[];
  findings: Finding[];
}
