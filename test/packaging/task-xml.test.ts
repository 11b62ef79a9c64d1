// The scheduled task install.ps1 registers, rendered here from the same template by the same three rules the script
// applies (comments dropped, @@NAME@@ replaced by an XML-escaped value, elements left empty dropped), then checked
// as Task Scheduler would read it. Registering it needs a real Windows server (README-windows.md, manual checks).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';

const DIR = join(__dirname, '..', '..', 'packaging', 'windows');
const TEMPLATE = readFileSync(join(DIR, 'entra-connect-monitor.task.xml'), 'utf8');
const INSTALL = readFileSync(join(DIR, 'install.ps1'), 'utf8');

/** What install.ps1's Expand-TaskTemplate does, rule for rule. */
function render(template: string, values: Record<string, string>): string {
  const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  let xml = template.replace(/<!--[\s\S]*?-->\r?\n/g, '');
  for (const [key, value] of Object.entries(values)) xml = xml.replaceAll(`@@${key}@@`, escape(value));
  const left = /@@[A-Z_]+@@/.exec(xml);
  if (left) throw new Error(`${left[0]} has no value`);
  return xml.replace(/^[ \t]*<(\w+)><\/\1>\r?\n/gm, '');
}

const INSTALL_DIR = 'C:\\Program Files\\entra-connect-monitor';
const DATA_DIR = 'C:\\ProgramData\\entra-connect-monitor';
const CONFIG = `${DATA_DIR}\\agent.yaml`;
const valuesFor = (userId: string, logonType: string) => ({
  TASK_NAME: 'entra-connect-monitor',
  INSTALL_DIR,
  LISTEN_ADDRESS: '0.0.0.0:9815',
  USER_ID: userId,
  LOGON_TYPE: logonType,
  NODE_EXE: `${INSTALL_DIR}\\node.exe`,
  ARGUMENTS: `"${INSTALL_DIR}\\app\\dist\\agent\\cli\\main.js" run --config "${CONFIG}" --web.listen-address 0.0.0.0:9815 --log.file "${DATA_DIR}\\logs\\agent.log" --control.pipe entra-connect-monitor`,
  DATA_DIR,
});

interface TaskXml {
  Task: {
    Triggers: { BootTrigger: { Enabled: boolean } };
    Principals: { Principal: { UserId: string; LogonType?: string; RunLevel: string } };
    Settings: { RestartOnFailure: { Interval: string; Count: number }; ExecutionTimeLimit: string; MultipleInstancesPolicy: string; DisallowStartIfOnBatteries: boolean };
    Actions: { Exec: { Command: string; Arguments: string; WorkingDirectory: string } };
  };
}

function parse(xml: string): TaskXml {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed: ${JSON.stringify(valid.err)}`);
  return new XMLParser({ ignoreAttributes: true, parseTagValue: true }).parse(xml) as TaskXml;
}

describe('the scheduled task definition', () => {
  it('install.ps1 fills exactly the placeholders the template has', () => {
    const inTemplate = new Set([...TEMPLATE.replace(/<!--[\s\S]*?-->/g, '').matchAll(/@@([A-Z_]+)@@/g)].map((m) => m[1]));
    const block = /Expand-TaskTemplate \$template @\{([\s\S]*?)\n\}/.exec(INSTALL)?.[1] ?? '';
    const filled = new Set([...block.matchAll(/'([A-Z_]+)' =/g)].map((m) => m[1]));
    expect(filled.size).toBeGreaterThan(5);
    expect([...filled].sort()).toEqual([...inTemplate].sort());
    expect(INSTALL).toContain("Get-Content -Raw -Path (Join-Path $InstallDir 'entra-connect-monitor.task.xml')");
  });

  it('for a gMSA: well-formed, starts at boot as that account with a password logon, names node.exe, the agent and the configuration', () => {
    const task = parse(render(TEMPLATE, valuesFor('FABRIKAM\\svc-ecm$', 'Password'))).Task;
    expect(task.Triggers.BootTrigger.Enabled).toBe(true);
    expect(task.Principals.Principal).toEqual({ UserId: 'FABRIKAM\\svc-ecm$', LogonType: 'Password', RunLevel: 'LeastPrivilege' });
    expect(task.Actions.Exec.Command).toBe(`${INSTALL_DIR}\\node.exe`);
    expect(task.Actions.Exec.Arguments).toContain(`"${INSTALL_DIR}\\app\\dist\\agent\\cli\\main.js" run`);
    expect(task.Actions.Exec.Arguments).toContain(`--config "${CONFIG}"`);
    expect(task.Actions.Exec.Arguments).toContain('--control.pipe entra-connect-monitor');
    expect(task.Actions.Exec.WorkingDirectory).toBe(DATA_DIR);
  });

  it('restarts on failure, never times out, never runs twice, ignores batteries', () => {
    const { Settings } = parse(render(TEMPLATE, valuesFor('S-1-5-19', ''))).Task;
    expect(Settings.RestartOnFailure).toEqual({ Interval: 'PT1M', Count: 255 });
    expect(Settings.ExecutionTimeLimit).toBe('PT0S');
    expect(Settings.MultipleInstancesPolicy).toBe('IgnoreNew');
    expect(Settings.DisallowStartIfOnBatteries).toBe(false);
  });

  it('for LocalService: the SID, and no LogonType (built-in service accounts take none)', () => {
    const xml = render(TEMPLATE, valuesFor('S-1-5-19', ''));
    expect(parse(xml).Task.Principals.Principal).toEqual({ UserId: 'S-1-5-19', RunLevel: 'LeastPrivilege' });
    expect(xml).not.toContain('<LogonType>');
    expect(xml).not.toContain('<!--');
  });

  it('escapes values: a path with & and quotes stays well-formed and reads back as written', () => {
    const odd = 'C:\\Tools & "Agents"\\entra-connect-monitor';
    const task = parse(render(TEMPLATE, { ...valuesFor('S-1-5-20', ''), INSTALL_DIR: odd, NODE_EXE: `${odd}\\node.exe` })).Task;
    expect(task.Actions.Exec.Command).toBe(`${odd}\\node.exe`);
  });

  it('a placeholder without a value is refused, as install.ps1 refuses it', () => {
    const { USER_ID: _dropped, ...partial } = valuesFor('S-1-5-19', '');
    expect(() => render(TEMPLATE, partial)).toThrow('@@USER_ID@@ has no value');
    expect(INSTALL).toContain("if ($xml -match '@@[A-Z_]+@@') { throw");
  });
});
