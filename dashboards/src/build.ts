// Generates the monitoring artefacts from the TypeScript beside this file:
//   dashboards/entra-connect-overview.json, dashboards/entra-connect-endpoint.json  (Grafana)
//   dashboards/alerts.yaml, dashboards/alerts.test.yaml                          (Prometheus rules, promtool tests)
//
//   npm run build:dashboards      # rewrite them
//
// test/dashboards/generated.test.ts generates them in memory and fails when the committed files differ.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertRulesYaml } from './alerts/index.js';
import { alertTestsYaml } from './alerts/tests/index.js';
import { endpointDetail } from './endpoint/index.js';
import { overview } from './overview/index.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Each generated file, by its path relative to the repository root, with its full text. */
export function generate(): Map<string, string> {
  return new Map([
    ['dashboards/entra-connect-overview.json', json(overview())],
    ['dashboards/entra-connect-endpoint.json', json(endpointDetail())],
    ['dashboards/alerts.yaml', alertRulesYaml()],
    ['dashboards/alerts.test.yaml', alertTestsYaml()],
  ]);
}

/** The repository root, from dashboards/src/ in the sources or dist-dashboards/dashboards/src/ once compiled. */
function repositoryRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes('dist-dashboards') ? ['..', '..', '..'] : ['..', '..'];
  return join(here, ...up);
}

async function main(): Promise<void> {
  const root = repositoryRoot();
  for (const [file, text] of generate()) {
    await writeFile(join(root, file), text);
    console.log(`wrote ${file}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
