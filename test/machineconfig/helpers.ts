// Shared by the machineconfig tests: fixture paths and a small machine.config builder for inline cases.
import { fileURLToPath } from 'node:url';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/machineconfig/${name}`, import.meta.url));
}

/** A minimal machine.config with `systemNet` as the body of <system.net> (or no <system.net> when undefined). */
export function machineConfig(systemNet?: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    '<configuration>',
    '  <configSections>',
    '    <sectionGroup name="system.net" type="System.Net.Configuration.NetSectionGroup, System">',
    '      <section name="defaultProxy" type="System.Net.Configuration.DefaultProxySection, System"/>',
    '    </sectionGroup>',
    '  </configSections>',
    systemNet === undefined ? '' : `  <system.net>${systemNet}</system.net>`,
    '</configuration>',
  ].join('\n');
}
