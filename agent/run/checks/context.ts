// What one pass of checks shares: the plan, what earlier checks found (an unreachable proxy is not probed again),
// and the outcome that the `check` report is made from.
import type { ProbeResult } from '../../probes/http/result.js';
import type { IdleProgress } from '../../probes/idle/probe.js';
import type { RevocationResult } from '../../probes/revocation/result.js';
import type { CheckOutcome, RouteCheck } from '../../report/check-outcome.js';
import { ResultHistory } from '../../export/history.js';
import { revocationRoute, type Plan } from '../../plan/plan.js';
import type { CheckName } from './names.js';
import type { HostCheckOptions } from '../../host/check.js';

export interface CheckOptions {
  /** Measure the proxy idle timeout too (takes minutes). */
  idle?: boolean;
  /** Sign-in discovery for this tenant (else the configuration's tenant.domain). */
  tenant?: string;
  /** Called before each check, for a progress line. */
  onStep?: (check: CheckName, title: string) => void;
  /** Called as idle tunnels open, answer or close (the idle step takes minutes). */
  onIdleProgress?: (event: IdleProgress) => void;
  /** Where the host check reads the registry (tests); by default the configuration and platform decide. */
  host?: HostCheckOptions;
}

/** One check's answer, as `explain --run` prints it. */
export interface Verdict {
  check: string;
  ok: boolean;
  summary: string;
}

export class CheckContext {
  readonly outcome: CheckOutcome;
  /** Routes whose proxy could not be reached: their proxied endpoints are not probed. */
  readonly unreachable = new Set<string>();
  /** Every result of this pass, as the daemon keeps them: the report reads the latest per target from here. */
  readonly history = new ResultHistory<ProbeResult | RevocationResult>(10_000);

  constructor(
    readonly plan: Plan,
    readonly options: CheckOptions = {},
  ) {
    this.outcome = {
      routes: plan.routes.map((r) => ({
        route: r.name,
        kind: r.kind,
        proxy: r.proxyUrl ?? null,
        revocation: revocationRoute(plan.routes, r).name,
        carries: r.carries,
        proxyReachable: null,
        authScheme: null,
        findings: [],
      })),
      results: [],
      situations: [],
    };
  }

  routeCheck(name: string): RouteCheck {
    return this.outcome.routes.find((r) => r.route === name)!;
  }

  get tenant(): string | undefined {
    return this.options.tenant ?? this.plan.config.tenant.domain;
  }
}
