// `entra-connect-monitor explain "TEXT" [--run] [--json]`: from an error or symptom the admin saw, what it means,
// its likely causes, the remedy in the words of Microsoft's "Troubleshoot Microsoft Entra Connect connectivity
// issues" article (TLS inspection: the prerequisites page), and the agent's checks that test it. Every entry comes
// from those pages; nothing is invented
// (no AADSTS codes: the article names none).
import { parseArgs } from 'node:util';
import { REMEDIES } from '../probes/classify.js';
import type { CheckName } from '../run/checks/names.js';

export interface ExplainEntry {
  id: string;
  title: string;
  aliases: string[];
  meaning: string;
  causes: string[];
  remedy: string;
  checks: CheckName[];
  networkCheckable: boolean;
  manualChecks?: string[];
}

const NOT_NETWORK = 'No network check can show this error: the connection worked, the problem is the account or the directory.';

// The article's "Verify proxy connectivity" step, referred to by several remedies.
const VERIFY_PROXY_CONNECTIVITY =
  'Verify proxy connectivity: in PowerShell, run Invoke-WebRequest -Uri https://adminwebservice.partner.microsoftonline.cn/ProvisioningService.svc (the agent runs the same request as `connectivity_test`).';

const PASSWORD_REMEDY =
  'Is the password a temporary password that must be changed? Is it actually the correct password? Try to sign in to https://login.partner.microsoftonline.cn on a different computer than the Microsoft Entra Connect server and verify that the account is usable.';

const WORK_ACCOUNT =
  'Use a school or organization account (a work account of your Microsoft Entra tenant), not a Microsoft account (outlook.com, hotmail.com, live.com).';

export const EXPLAIN_ENTRIES: readonly ExplainEntry[] = Object.freeze([
  // --- Errors in the wizard ---
  {
    id: 'wizard-not-configured',
    title: "The installation wizard hasn't been correctly configured",
    aliases: ['installation wizard has not been correctly configured', 'wizard not correctly configured', "wizard can't reach the proxy"],
    meaning: "This error appears when the wizard itself can't reach the proxy.",
    causes: [
      'machine.config has no <defaultProxy> settings, or the wrong proxy address or port.',
      'The Microsoft Entra ID Sync service was not restarted after machine.config was changed.',
      'The proxy is down, or a firewall stops this server from reaching it.',
    ],
    remedy:
      'If you see this error, verify that the machine.config file is correctly configured. If machine.config looks correct, complete the steps in Verify proxy connectivity to see if the issue is also present outside the wizard.',
    checks: ['machine_config', 'proxy_reachable', 'connectivity_test'],
    networkCheckable: true,
    manualChecks: [VERIFY_PROXY_CONNECTIVITY],
  },
  {
    id: 'microsoft-account',
    title: 'A Microsoft account is used',
    aliases: ['microsoft account', 'personal microsoft account', 'generic error'],
    meaning: 'If you use a Microsoft account instead of a school or organization account, you see a generic error.',
    causes: ['The wizard was given a Microsoft account (a personal account) instead of a school or organization account.'],
    remedy: `${WORK_ACCOUNT} The article: "If you use a Microsoft account instead of a school or organization account, you see a generic error."`,
    checks: [],
    networkCheckable: false,
    manualChecks: [
      'Check that the account you typed is a user of your Microsoft Entra tenant (for example admin@contoso.onmicrosoft.com), not a Microsoft account.',
      'Check that it holds the Hybrid Identity Administrator role.',
    ],
  },
  {
    id: 'mfa-endpoint-unreachable',
    title: "The MFA endpoint can't be reached",
    aliases: ['mfa endpoint', 'secure.aadcdn', 'aadcdn'],
    meaning:
      "This error appears if the endpoint https://secure.aadcdn.partner.microsoftonline-p.cn can't be reached and your Hybrid Identity Administrator has MFA enabled. (In the agent's catalogues this is the endpoint `mfa-aadcdn`; its host depends on the cloud.)",
    causes: [
      'The proxy has not been opened for the MFA endpoint (secure.aadcdn...).',
      'The CRL host used for MFA (*.entrust.net, HTTP/80) is blocked, so the certificate check fails.',
    ],
    remedy:
      'If you see this error, verify that the endpoint secure.aadcdn.partner.microsoftonline-p.cn has been added to the proxy.',
    checks: ['endpoint:mfa-aadcdn', 'endpoint:entrust-crl'],
    networkCheckable: true,
  },
  {
    id: 'password-not-verified',
    title: "The password can't be verified",
    aliases: ['password cannot be verified', 'password could not be verified'],
    meaning:
      'The installation wizard is successful in connecting to Microsoft Entra ID but the password itself can\'t be verified.',
    causes: ['The password is wrong.', 'The password is a temporary password that must be changed first.'],
    remedy: PASSWORD_REMEDY,
    checks: [],
    networkCheckable: false,
    manualChecks: [
      'Sign in with the same account on another computer (not the Microsoft Entra Connect server) and change the password if it is temporary.',
      'Check that you typed the correct password for the right account.',
    ],
  },
  // --- Authentication errors (from ADAL/MSAL and PowerShell) ---
  {
    id: 'invalid-grant',
    title: 'Invalid grant',
    aliases: ['invalid username or password'],
    meaning: "You entered an invalid username or password. For more information, see The password can't be verified.",
    causes: ['Wrong username or password.', 'A temporary password that must be changed.'],
    remedy: PASSWORD_REMEDY,
    checks: [],
    networkCheckable: false,
    manualChecks: [
      'Check the username (a user of your tenant) and the password.',
      'Sign in with the account on another computer and verify that the account is usable.',
    ],
  },
  {
    id: 'unknown-user-type',
    title: 'Unknown user type',
    aliases: ['directory cannot be found', "directory can't be found", 'unverified domain'],
    meaning:
      "Your Microsoft Entra directory can't be found or resolved. Maybe you tried to sign in with a username in an unverified domain?",
    causes: [
      'The username is in a domain that is not verified in your Microsoft Entra tenant.',
      'The username is in a domain of another cloud (for example a worldwide tenant while the agent looks at the China cloud).',
    ],
    remedy:
      'Sign in with a username in a verified domain of your directory. The article: "Your Microsoft Entra directory can\'t be found or resolved. Maybe you tried to sign in with a username in an unverified domain?"',
    checks: ['signin_discovery'],
    networkCheckable: true,
    manualChecks: ["Check in the Microsoft Entra admin center that the username's domain is listed as verified."],
  },
  {
    id: 'user-realm-discovery-failed',
    title: 'User realm discovery failed',
    aliases: ['realm discovery failed', 'user realm discovery', 'network cannot be reached', "network can't be reached"],
    meaning: "Network or proxy configuration issues. The network can't be reached.",
    causes: [
      'machine.config does not send the wizard through the proxy.',
      'The proxy is unreachable, or has not been opened for the login endpoint.',
      'DNS does not resolve the login host.',
    ],
    remedy:
      'See Connectivity issues in the installation wizard: "make sure that machine.config is correctly configured and that the Microsoft Entra ID Sync service has been restarted once after the machine.config file update." "The proxy server must also have the required URLs opened."',
    checks: ['machine_config', 'proxy_reachable', 'signin_discovery', 'endpoint:login'],
    networkCheckable: true,
  },
  {
    id: 'user-password-expired',
    title: 'User password expired',
    aliases: ['password expired', 'credentials have expired'],
    meaning: 'Your credentials have expired.',
    causes: ["The account's password has expired."],
    remedy: 'Your credentials have expired. Change your password.',
    checks: [],
    networkCheckable: false,
    manualChecks: ['Sign in with the account on another computer and change its password, then run the wizard again.'],
  },
  {
    id: 'authorization-failure',
    title: 'Authorization failure',
    aliases: ['failed to authorize', 'not authorized'],
    meaning: 'Microsoft Entra Connect failed to authorize the user to perform an action in Microsoft Entra ID.',
    causes: ['The account lacks the role the action needs (Hybrid Identity Administrator).'],
    remedy:
      'Microsoft Entra Connect failed to authorize the user to perform an action in Microsoft Entra ID: give the account the rights the action needs.',
    checks: [],
    networkCheckable: false,
    manualChecks: ['Check that the account holds the Hybrid Identity Administrator role in the tenant.'],
  },
  {
    id: 'authentication-canceled',
    title: 'Authentication canceled',
    aliases: ['authentication cancelled', 'mfa challenge was canceled', 'mfa challenge was cancelled', 'mfa canceled', 'mfa cancelled'],
    meaning: 'The MFA challenge was canceled.',
    causes: ['The MFA prompt was closed, declined or timed out before it was answered.'],
    remedy: 'The MFA challenge was canceled: sign in again and complete the MFA challenge.',
    checks: [],
    networkCheckable: false,
    manualChecks: ['Run the wizard again and complete the MFA challenge; check that the account has a working MFA method.'],
  },
  {
    id: 'connect-msonline-failed',
    title: 'Connect to MSOnline failed',
    aliases: ['msonline', 'connect msolservice'],
    meaning: 'Authentication was successful, but Azure AD PowerShell has an authentication problem.',
    causes: ['Azure AD PowerShell (MSOnline) on the server fails to authenticate although the sign-in itself worked.'],
    remedy: 'Authentication was successful, but Azure AD PowerShell has an authentication problem.',
    checks: [],
    networkCheckable: false,
    manualChecks: ['Check that the Azure AD PowerShell (MSOnline) module on the server can sign in with the same account.'],
  },
  {
    id: 'pim-enabled',
    title: 'Privileged Identity Management enabled',
    aliases: ['privileged identity management', 'pim'],
    meaning:
      "Authentication was successful, but Privileged Identity Management has been enabled and the user currently isn't a Hybrid Identity Administrator.",
    causes: ['The Hybrid Identity Administrator role is eligible through Privileged Identity Management but not active.'],
    remedy:
      "Authentication was successful, but Privileged Identity Management has been enabled and the user currently isn't a Hybrid Identity Administrator: activate the role, then run the wizard again.",
    checks: [],
    networkCheckable: false,
    manualChecks: ['In Privileged Identity Management, activate the Hybrid Identity Administrator role for the account, then retry.'],
  },
  {
    id: 'company-information-unavailable',
    title: 'Company information unavailable',
    aliases: ['company information'],
    meaning: "Authentication was successful, but company information couldn't be retrieved from Microsoft Entra ID.",
    causes: ['Microsoft Entra ID did not return the tenant (company) information to the signed-in account.'],
    remedy: "Authentication was successful, but company information couldn't be retrieved from Microsoft Entra ID.",
    checks: [],
    networkCheckable: false,
    manualChecks: [
      'Check that the account belongs to the tenant you sync to and holds the Hybrid Identity Administrator role.',
      'Retry later; check Microsoft Entra service health.',
    ],
  },
  {
    id: 'domain-information-unavailable',
    title: 'Domain information unavailable',
    aliases: ['domain information'],
    meaning: "Authentication was successful, but domain information couldn't be retrieved from Microsoft Entra ID.",
    causes: ["Microsoft Entra ID did not return the tenant's domains to the signed-in account."],
    remedy: "Authentication was successful, but domain information couldn't be retrieved from Microsoft Entra ID.",
    checks: [],
    networkCheckable: false,
    manualChecks: [
      'Check in the Microsoft Entra admin center that the tenant has its domains listed and that the account can read them.',
      'Retry later; check Microsoft Entra service health.',
    ],
  },
  {
    id: 'unspecified-authentication-failure',
    title: 'Unspecified authentication failure',
    aliases: ['unexpected error'],
    meaning:
      'Shown as Unexpected error in the installation wizard. This error might occur if you try to use a Microsoft account instead of a school or organization account.',
    causes: ['A Microsoft account was used instead of a school or organization account.'],
    remedy: `${WORK_ACCOUNT} The article: "This error might occur if you try to use a Microsoft account instead of a school or organization account."`,
    checks: [],
    networkCheckable: false,
    manualChecks: ['Check that the account is a user of your Microsoft Entra tenant, not a Microsoft account.'],
  },
  // --- Verify proxy connectivity ---
  {
    id: 'proxy-forbidden',
    title: '403 Forbidden',
    aliases: ['403', 'forbidden'],
    meaning: "The proxy hasn't been opened for the requested URL.",
    causes: ['The proxy allow-list lacks one of the required URLs.', 'A filtering rule of the proxy blocks the Microsoft Entra endpoints.'],
    remedy: REMEDIES.proxy_denied,
    checks: ['connectivity_test', 'endpoints'],
    networkCheckable: true,
  },
  {
    id: 'proxy-auth-required',
    title: '407 Proxy Authentication Required',
    aliases: ['407', 'proxy authentication required'],
    meaning: 'The proxy server required a sign-in and none was provided.',
    causes: [
      'The proxy requires authentication and machine.config does not enable it (useDefaultCredentials).',
      'The wizard or the sync service runs under a local account the proxy cannot authenticate.',
    ],
    remedy: REMEDIES.proxy_auth_required,
    checks: ['machine_config', 'connectivity_test'],
    networkCheckable: true,
    manualChecks: ['Check that the user running the wizard and the sync service account are domain accounts.'],
  },
  {
    id: 'unable-to-connect',
    title: 'Unable to connect to the remote server',
    aliases: ['unable to connect', 'cannot connect to the remote server'],
    meaning: "PowerShell is trying to make a direct call without using the proxy or DNS isn't correctly configured.",
    causes: ['machine.config has no proxy settings, so the call goes direct and the firewall drops it.', "DNS isn't correctly configured."],
    remedy: REMEDIES.connect_failed,
    checks: ['machine_config', 'proxy_reachable', 'connectivity_test'],
    networkCheckable: true,
  },
  {
    id: 'proxy-idle-timeout',
    title: 'Intermittent export failures (proxy idle timeout)',
    aliases: ['proxy idle timeout', 'idle timeout', 'intermittent connectivity', 'intermittent export failures', 'export failures', 'export timeout'],
    meaning:
      'When Microsoft Entra Connect sends an export request to Microsoft Entra ID, Microsoft Entra ID can take up to 5 minutes to process the request before generating a response. A proxy that closes idle connections sooner cuts the export.',
    causes: [
      'The proxy idle timeout is 5 minutes or less.',
      'Exports that include many group objects that have large group memberships take longest.',
    ],
    remedy: REMEDIES.idle_tunnel_closed,
    checks: ['idle'],
    networkCheckable: true,
  },
  // --- Prerequisites: TLS ---
  {
    id: 'tls-inspection',
    title: 'TLS inspection of Microsoft Entra traffic',
    aliases: ['tls inspection', 'ssl inspection', 'https inspection', 'break and inspect', 'tls interception', 'ssl interception', 'tls_intercepted', 'inspection root'],
    meaning:
      "A proxy or firewall terminates TLS to the Microsoft Entra endpoints and re-signs their certificates with its own root. Microsoft Entra Connect's prerequisites: \"It isn't supported to break and analyze traffic between Microsoft Entra Connect and Microsoft Entra ID. Doing so could disrupt the service.\" When this server trusts the inspection root (pushed by group policy), nothing fails visibly: only the root the chain ends at tells.",
    causes: [
      'The proxy or firewall inspects HTTPS and the Microsoft Entra endpoints are not on its exclusion list.',
      'The inspection root is trusted by this server, so the re-signed certificates validate.',
    ],
    remedy: REMEDIES.tls_intercepted,
    checks: ['connectivity_test', 'endpoints'],
    networkCheckable: true,
  },
  // --- Troubleshooting steps for earlier releases ---
  {
    id: 'signin-assistant',
    title: "The sign-in assistant isn't configured correctly",
    aliases: ['sign-in assistant', 'signin assistant', 'winhttp', 'netsh'],
    meaning:
      "This error appears when the sign-in assistant can't reach the proxy or the proxy isn't allowing the request. (Earlier releases only: the sign-in assistant was retired in build 1.1.105.0, February 2016; it needs WinHTTP configured with netsh.)",
    causes: ['The WinHTTP proxy set with netsh is missing or wrong.', "The proxy isn't allowing the request."],
    remedy:
      "If you see this error, look at the proxy configuration in netsh and verify that it's correct. If the proxy configuration looks correct, complete the steps in Verify proxy connectivity to see if the issue occurs outside the wizard.",
    checks: ['proxy_reachable', 'connectivity_test'],
    networkCheckable: true,
    manualChecks: [
      'Run `netsh winhttp show proxy` on the server and compare it with the proxy in machine.config.',
      VERIFY_PROXY_CONNECTIVITY,
      'Upgrade: releases from 1.1.105.0 no longer use the sign-in assistant.',
    ],
  },
] satisfies ExplainEntry[]);

// --- Matching ---

const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'be', 'been', 'can', 'cant', 'error', 'for', 'get', 'got', 'has', 'hasnt', 'i', 'in', 'is',
  'isnt', 'it', 'message', 'my', 'of', 'on', 'or', 'see', 'the', 'this', 'to', 'was', 'we', 'when', 'with',
]);

/** Lower case, quotes and apostrophes dropped ("can't" -> "cant"), other punctuation to spaces, spaces collapsed. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['‘’`"“”]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function significantTokens(normalised: string): string[] {
  return normalised.split(' ').filter((t) => t !== '' && !STOP_WORDS.has(t));
}

/** `needle` occurs in `hay` as whole words. */
function containsWords(hay: string, needle: string): boolean {
  return ` ${hay} `.includes(` ${needle} `);
}

/** `needle` occurs in `hay` starting at a word boundary (its last word may be cut short: "realm disc"). */
function containsFromWordStart(hay: string, needle: string): boolean {
  return ` ${hay}`.includes(` ${needle}`);
}

function scoreEntry(entry: ExplainEntry, text: string, tokens: string[]): number {
  const names = [normalise(entry.title), ...entry.aliases.map(normalise)];
  let best = 0;
  for (const [i, name] of names.entries()) {
    const isTitle = i === 0;
    if (name === text) best = Math.max(best, isTitle ? 100 : 95);
    // The text quotes the error (perhaps inside a longer log line): longer names are more specific.
    else if (containsWords(text, name)) best = Math.max(best, (isTitle ? 80 : 70) + Math.min(name.length, 60) / 6);
    // The text is a piece of the name ("realm", "407").
    else if (tokens.length > 0 && containsFromWordStart(name, text)) best = Math.max(best, 50 + (20 * text.length) / name.length);
    // Every significant word of the text starts a word of the name ("password expired", "wizard configured").
    else if (tokens.length > 0) {
      const words = name.split(' ');
      if (tokens.every((t) => words.some((w) => w.startsWith(t)))) best = Math.max(best, 30 + (10 * tokens.length) / words.length);
    }
  }
  return best;
}

/** Every entry the text matches, best first. Empty when nothing matches (or the text has no meaningful word). */
export function matchSymptom(text: string): ExplainEntry[] {
  const norm = normalise(text);
  if (norm === '') return [];
  const tokens = significantTokens(norm);
  return EXPLAIN_ENTRIES.map((entry, order) => ({ entry, order, score: scoreEntry(entry, norm, tokens) }))
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((m) => m.entry);
}

// --- Command ---

export type CheckRunner = (checks: string[]) => Promise<Array<{ check: string; ok: boolean; summary: string }>>;

const USAGE = 'usage: entra-connect-monitor explain "TEXT" [--run] [--json]';

function unionChecks(entries: readonly ExplainEntry[]): string[] {
  const seen = new Set<string>();
  for (const e of entries) for (const c of e.checks) seen.add(c);
  return [...seen];
}

function formatEntry(entry: ExplainEntry): string {
  const lines = [`${entry.title}  [${entry.id}]`, `  What it means: ${entry.meaning}`, '  Likely causes:'];
  for (const c of entry.causes) lines.push(`    - ${c}`);
  lines.push(`  Remedy (from the article): ${entry.remedy}`);
  if (entry.networkCheckable) lines.push(`  Agent checks that test it: ${entry.checks.join(', ')}`);
  else lines.push(`  Agent checks: none. ${NOT_NETWORK}`);
  if (entry.manualChecks && entry.manualChecks.length > 0) {
    lines.push('  Check by hand:');
    for (const m of entry.manualChecks) lines.push(`    - ${m}`);
  }
  return lines.join('\n');
}

function knownNames(): string {
  return EXPLAIN_ENTRIES.map((e) => `  - ${e.title} (${e.id})`).join('\n');
}

/**
 * Runs `explain`. `argv` holds the arguments after the subcommand name. Returns the exit code:
 * 0 matched (with --run: every check ok), 1 with --run when a check failed, 2 no match or bad usage.
 */
export async function runExplainCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  runChecks?: CheckRunner,
): Promise<number> {
  let values: { run?: boolean; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { run: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    err.write(`explain: ${(e as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${USAGE}\nExplains an error or symptom from Microsoft's Entra Connect connectivity troubleshooting article.\nKnown names:\n${knownNames()}\n`);
    return 0;
  }
  // Several positionals: the user forgot the quotes; read them as one text.
  const text = positionals.join(' ').trim();
  if (text === '') {
    err.write(`explain: give the error or symptom text\n${USAGE}\n`);
    return 2;
  }

  const matches = matchSymptom(text);
  if (matches.length === 0) {
    if (values.json) {
      out.write(`${JSON.stringify({ query: text, matches: [], known: EXPLAIN_ENTRIES.map((e) => ({ id: e.id, title: e.title })) }, null, 2)}\n`);
    } else {
      err.write(`explain: nothing known matches "${text}". Known errors and symptoms:\n${knownNames()}\n`);
    }
    return 2;
  }

  const checks = unionChecks(matches);
  if (!values.run) {
    if (values.json) out.write(`${JSON.stringify({ query: text, matches, checks }, null, 2)}\n`);
    else out.write(`${matches.map(formatEntry).join('\n\n')}\n`);
    return 0;
  }

  if (!values.json) out.write(`${matches.map(formatEntry).join('\n\n')}\n\n`);
  if (!runChecks) {
    if (values.json) out.write(`${JSON.stringify({ query: text, matches, checks, results: null }, null, 2)}\n`);
    err.write('explain: checks are unavailable here (--run needs the agent configuration); run without --run.\n');
    return 2;
  }
  if (checks.length === 0) {
    if (values.json) out.write(`${JSON.stringify({ query: text, matches, checks, results: [], ok: true }, null, 2)}\n`);
    else out.write(`No network check tests ${matches.length === 1 ? 'this error' : 'these errors'}; check by hand as listed above.\n`);
    return 0;
  }

  let verdicts: Array<{ check: string; ok: boolean; summary: string }>;
  try {
    verdicts = await runChecks(checks);
  } catch (e) {
    err.write(`explain: the checks could not run: ${(e as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  // A check the runner gave no verdict for counts as failed: silence is not health.
  const results = checks.map(
    (check) => verdicts.find((v) => v.check === check) ?? { check, ok: false, summary: 'no verdict returned for this check' },
  );
  const ok = results.every((r) => r.ok);
  if (values.json) {
    out.write(`${JSON.stringify({ query: text, matches, checks, results, ok }, null, 2)}\n`);
  } else {
    const width = Math.max(...results.map((r) => r.check.length));
    out.write('Checks:\n');
    for (const r of results) out.write(`  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.check.padEnd(width)}  ${r.summary}\n`);
    out.write(ok ? 'All checks passed.\n' : `${results.filter((r) => !r.ok).length} of ${results.length} checks failed.\n`);
  }
  return ok ? 0 : 1;
}
