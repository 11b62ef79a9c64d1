// A tunnel the proxy forgets without a FIN or RST stays "open" but is dead: only the request after the hold shows
// it. The cycle must call that a silent drop, not a close, and fail. A FIN in answer to that request is a close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureIdle } from '../../agent/probes/idle/probe.js';
import { startLab, type Lab } from '../lab/lab.js';
import { startSilentDropProxy } from './silent-drop-proxy.js';
import { progressLog, proxiedTarget } from './helpers.js';

let lab: Lab;
let stalling: Awaited<ReturnType<typeof startSilentDropProxy>>;
let resetting: Awaited<ReturnType<typeof startSilentDropProxy>>;
let finishing: Awaited<ReturnType<typeof startSilentDropProxy>>;
beforeAll(async () => {
  lab = await startLab();
  const upstream = { host: lab.address, port: lab.https.port };
  stalling = await startSilentDropProxy({ upstream, forwardForMs: 2_000, after: 'stall' });
  resetting = await startSilentDropProxy({ upstream, forwardForMs: 2_000, after: 'reset' });
  finishing = await startSilentDropProxy({ upstream, forwardForMs: 2_000, after: 'fin' });
});
afterAll(async () => {
  await Promise.all([stalling?.close(), resetting?.close(), finishing?.close(), lab?.stop()]);
});

describe('idle cycle through a proxy that drops tunnels silently', () => {
  it('reports the tunnel past the drop as a silent drop once its request gets no answer within the timeout', async () => {
    const { route, endpoint, plan } = proxiedTarget(lab, stalling.port, { probes: { timeoutSeconds: 1 } });
    const log = progressLog();
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2, onProgress: log.onProgress });
    expect(r.verdict, r.detail).toBe('fail');
    expect(r.reason).toBe('idle_tunnel_closed');
    expect(r.silentDrop).toBe(true);
    expect(r.closeSeconds).toBeUndefined();
    expect(r.holds[0]).toMatchObject({ holdSeconds: 1, survived: true, httpStatus: 200 });
    expect(r.holds[1]).toMatchObject({ holdSeconds: 3, survived: false, silentDrop: true, detail: 'no answer within 1 s to the request after the hold' });
    expect(r.holds[1]!.closedAfterSeconds).toBeUndefined();
    expect(r.detail).toBe(
      'the proxy dropped idle tunnels silently (no answer after the hold) (tunnels held 1 s answered; 3 s got no answer); the requirement is 2 s',
    );
    const states = log.events.map((e) => `${e.holdSeconds} s ${e.state}`);
    expect(states.slice(0, 2).sort()).toEqual(['1 s open', '3 s open']);
    expect(states.slice(2)).toEqual(['1 s answered', '3 s dropped']);
    expect(log.events.find((e) => e.state === 'dropped')).toMatchObject({ holdSeconds: 3, elapsedSeconds: 3 });
    // hold 3 s + the 1 s request timeout, not more
    expect(r.durationSeconds).toBeLessThan(5);
  });

  it('reports a reset of the request after the hold as a silent drop', async () => {
    const { route, endpoint, plan } = proxiedTarget(lab, resetting.port, { probes: { timeoutSeconds: 1 } });
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 });
    expect(r.verdict, r.detail).toBe('fail');
    expect(r.holds[1]).toMatchObject({ holdSeconds: 3, survived: false, silentDrop: true });
    expect(r.holds[1]!.detail).toBe('the request after the hold was reset (ECONNRESET)');
    expect(r.durationSeconds).toBeLessThan(4); // the reset is seen at once, not at the timeout
  });

  it('counts a FIN in answer to the request after the hold as a close at that silence, not a silent drop', async () => {
    const { route, endpoint, plan } = proxiedTarget(lab, finishing.port, { probes: { timeoutSeconds: 1 } });
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 });
    expect(r.verdict, r.detail).toBe('fail');
    expect(r.silentDrop).toBe(false);
    expect(r.holds[1]).toMatchObject({ holdSeconds: 3, survived: false, detail: 'the proxy closed the tunnel (FIN) without answering the request sent after 3 s of silence' });
    expect(r.holds[1]!.closedAfterSeconds).toBeGreaterThanOrEqual(3);
    expect(r.holds[1]!.closedAfterSeconds).toBeLessThan(3.5);
    expect(r.closeSeconds).toBe(r.holds[1]!.closedAfterSeconds);
  });
});
