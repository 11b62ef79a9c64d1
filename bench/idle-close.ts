// How exactly the idle-timeout probe measures a proxy's idle timeout, and what a cycle costs while it waits:
// real squids with read_timeout 3, 5, 10 and 20 s (squid closes an idle CONNECT tunnel after read_timeout of
// silence), one idle cycle each bracketing that timeout, the measured close time beside the configured one, and the
// process CPU spent over the cycle per second of silence.
//
//   npm run bench:idle
import { stringify } from 'yaml';
import { parseConfig } from '../agent/config/config.js';
import { buildPlan } from '../agent/plan/plan.js';
import { idleTargets, measureIdle } from '../agent/probes/idle/probe.js';
import { createTestCa } from '../test/lab/ca.js';
import { onFreeLoopback, startHttps } from '../test/lab/servers.js';
import { startSquid } from '../test/lab/squid.js';

const READ_TIMEOUTS = [3, 5, 10, 20];
const HOST = 'adminwebservice.partner.microsoftonline.cn';

const ca = createTestCa();
const { address, value: server } = await onFreeLoopback((addr) => startHttps(ca.issue('idle', [HOST]), addr, 443));
const rows: string[] = [];
try {
  for (const readTimeout of READ_TIMEOUTS) {
    const squid = await startSquid({ hosts: { [HOST]: address }, readTimeoutSeconds: readTimeout });
    try {
      const holds = [readTimeout - 1, readTimeout + 2];
      const config = parseConfig(
        stringify({ tls: { caFile: ca.certFile, expectedRootsFile: ca.certFile }, routes: [{ name: 'squid', proxy: `http://127.0.0.1:${squid.port}` }], idle: { holdSeconds: holds, requiredSeconds: readTimeout + 1 } }),
        'bench-idle.yaml',
        {},
      );
      const plan = buildPlan(config, {});
      const [{ route, endpoint }] = idleTargets(plan);
      const cpuBefore = process.cpuUsage();
      const wallBefore = process.hrtime.bigint();
      const result = await measureIdle(route!, endpoint!, plan.settings, { holdSeconds: holds, requiredSeconds: readTimeout + 1 });
      const cpu = process.cpuUsage(cpuBefore);
      const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const measured = result.closeSeconds;
      rows.push(
        `| ${readTimeout} | ${holds.join(', ')} | ${measured?.toFixed(3) ?? '-'} | ${measured === undefined ? '-' : (measured - readTimeout).toFixed(3)} | ${result.verdict} | ${result.holds.map((h) => `${h.holdSeconds}s ${h.survived ? 'answered' : 'closed'}`).join(', ')} | ${cpuMs.toFixed(1)} | ${(cpuMs / wallSeconds).toFixed(2)} |`,
      );
    } finally {
      await squid.stop();
    }
  }
} finally {
  await server.close();
}
console.log(`Idle-timeout measurement against real squid (Node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
console.log('| squid read_timeout (s) | holds (s) | measured close (s) | measured − configured (s) | verdict | holds | cycle CPU (ms) | CPU ms per second of cycle |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
