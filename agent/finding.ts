// The shape of a diagnosis that is not one probe's failure (machine.config, sign-in discovery, proxy logs, host):
// one shape everywhere, codes from closed per-source sets, remedies in Microsoft's words.

/** A diagnosis that is not one probe's failure (machine.config, sign-in discovery, proxy logs). */
export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  remedy: string;
}

