// The idle cycle against a real squid: read_timeout closes idle CONNECT tunnels with FIN, so a short read_timeout
// is a proxy whose idle timeout we know, and the cycle must measure it.
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureIdle } from '../../agent/probes/idle/probe.js';
import { startLab, type Lab } from '../lab/lab.js';
import { waitFor } from '../lab/squid.js';
import { progressLog, proxiedTarget } from './helpers.js';

let strict: Lab; // read_timeout 5 s: closes idle tunnels before a 6 s requirement
let patient: Lab; // read_timeout 60 s
beforeAll(async () => {
  [strict, patient] = await Promise.all([
    startLab({ readTimeoutSeconds: 5, deny: ['adminwebservice.partner.microsoftonline.cn'] }),
    startLab({ readTimeoutSeconds: 60 }),
  ]);
});
afterAll(async () => {
  await Promise.all([strict?.stop(), patient?.stop()]);
});

/** Sockets this process holds open (the cycle's tunnels among them). */
function openSockets(): number {
  return (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().filter((h) => h instanceof Socket && !h.destroyed).length;
}

describe('idle cycle through a real squid', () => {
  it('measures squid read_timeout 5 s as the idle timeout and fails a 6 s requirement', async () => {
    // This lab's squid denies adminwebservice (for the 403 case), so the cycle uses the other export endpoint.
    const { route, endpoint, plan } = proxiedTarget(strict, strict.squid.port, { idle: { endpoint: 'provisioningapi' } });
    expect(endpoint.id).toBe('provisioningapi');
    const log = progressLog();
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [2, 4, 8], requiredSeconds: 6, onProgress: log.onProgress }, undefined);
    expect(r.verdict, r.detail).toBe('fail');
    expect(r.reason).toBe('idle_tunnel_closed');
    expect(r.remedy).toContain('configure the proxy idle timeout to at least 6 minutes');
    expect(Math.abs(r.closeSeconds! - 5)).toBeLessThan(1);
    expect(r.silentDrop).toBe(false);
    expect(r.holds.map((h) => [h.holdSeconds, h.survived])).toEqual([[2, true], [4, true], [8, false]]);
    expect(r.holds[2]!.closedAfterSeconds).toBe(r.closeSeconds);
    expect(r.holds[2]!.detail).toMatch(/^the proxy closed the tunnel \(FIN\) after \d\.\d{3} s of silence$/);
    expect(r.holds[0]!.httpStatus).toBe(200);
    expect(r.detail).toMatch(/^the proxy closed idle tunnels after \d\.\d s \(tunnels held 2 s and 4 s answered; 8 s were closed\); the requirement is 6 s$/);
    // The close was seen when it happened, not at the end of the 8 s hold.
    expect(r.durationSeconds).toBeLessThan(7);
    expect(log.events.filter((e) => e.state === 'open')).toHaveLength(3);
    expect(log.events.find((e) => e.state === 'closed')).toMatchObject({ route: 'proxy', holdSeconds: 8, elapsedSeconds: r.closeSeconds });
  });

  it('warns when squid read_timeout 5 s lies between the minimum (3 s) and the requirement (6 s)', async () => {
    const { route, endpoint, plan } = proxiedTarget(strict, strict.squid.port, { idle: { endpoint: 'provisioningapi' } });
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [2, 3.5, 8], requiredSeconds: 6, minimumSeconds: 3 });
    expect(r.verdict, r.detail).toBe('warn');
    expect(r.reason).toBeUndefined();
    expect(r.minimumSeconds).toBe(3);
    expect(r.holds.map((h) => [h.holdSeconds, h.survived])).toEqual([[2, true], [3.5, true], [8, false]]);
    // The close falls inside the bracket the verdict rests on: after the 3.5 s hold answered, before the 8 s one ended.
    expect(r.closeSeconds).toBeGreaterThan(3.5);
    expect(r.closeSeconds).toBeLessThan(8);
    expect(r.detail).toMatch(/^the proxy closed idle tunnels after \d\.\d s \(tunnels held 2 s and 3\.5 s answered; 8 s were closed\); more than 3 s but not 6 s: the requirement is 6 s \(at least 3 s not to fail\)$/);
    expect(r.remedy).toContain('at least 6 minutes');
  });

  it('fails below the minimum even with a warn band configured', async () => {
    const { route, endpoint, plan } = proxiedTarget(strict, strict.squid.port, { idle: { endpoint: 'provisioningapi' } });
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [2, 8], requiredSeconds: 7, minimumSeconds: 6 });
    expect(r.verdict, r.detail).toBe('fail');
    expect(r.reason).toBe('idle_tunnel_closed');
  });

  it('passes when a tunnel held longer than the requirement still answers', async () => {
    const { route, endpoint, plan } = proxiedTarget(patient, patient.squid.port);
    expect(endpoint.id).toBe('adminwebservice');
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 });
    expect(r.verdict, r.detail).toBe('pass');
    expect(r.reason).toBeUndefined();
    expect(r.closeSeconds).toBeUndefined();
    expect(r.holds.every((h) => h.survived && h.httpStatus === 200)).toBe(true);
    expect(r.detail).toBe('tunnels held silent up to 3 s answered; the requirement is 2 s');
  });

  it('ends a cycle in progress at once when aborted, with every socket destroyed', async () => {
    const { route, endpoint, plan } = proxiedTarget(patient, patient.squid.port);
    const before = openSockets();
    const log = progressLog();
    const controller = new AbortController();
    const cycle = measureIdle(route, endpoint, plan.settings, { holdSeconds: [30, 30, 40], requiredSeconds: 35, onProgress: log.onProgress }, controller.signal);
    await log.until((events) => events.filter((e) => e.state === 'open').length === 3, 5_000, 'three tunnels open');
    expect(openSockets()).toBeGreaterThanOrEqual(before + 3);
    const abortedAt = performance.now();
    controller.abort();
    const r = await cycle;
    expect(performance.now() - abortedAt).toBeLessThan(1_000);
    expect(r.verdict).toBe('error');
    expect(r.detail).toBe('aborted');
    expect(r.reason).toBeUndefined();
    await waitFor(() => openSockets() <= before, 1_000, 'the tunnels to be closed');
  });

  it('names a 403 on CONNECT proxy_denied and does not run the cycle', async () => {
    const { route, endpoint, plan } = proxiedTarget(strict, strict.squid.port);
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 });
    expect(r.verdict).toBe('error');
    expect(r.reason).toBe('proxy_denied');
    expect(r.detail).toContain('403');
    expect(r.detail).toContain('ERR_ACCESS_DENIED');
    expect(r.remedy).toContain("the proxy hasn't been opened for the requested URL");
    expect(r.holds).toEqual([]);
    expect(r.durationSeconds).toBeLessThan(1);
  });

  it('names a 407 on CONNECT proxy_auth_required', async () => {
    const { route, endpoint, plan } = proxiedTarget(patient, patient.squid.authPort);
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 });
    expect(r.verdict).toBe('error');
    expect(r.reason).toBe('proxy_auth_required');
    expect(r.holds).toEqual([]);
  });

  it('names a certificate it cannot trust at open tls_untrusted', async () => {
    const { route, endpoint, plan } = proxiedTarget(patient, patient.squid.port, { tls: {} }); // the lab CA not trusted
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 });
    expect(r.verdict).toBe('error');
    expect(r.reason).toBe('tls_untrusted');
    expect(r.detail).toContain('is not trusted');
  });

  it('does not start when its signal is already aborted', async () => {
    const { route, endpoint, plan } = proxiedTarget(patient, patient.squid.port);
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 3], requiredSeconds: 2 }, AbortSignal.abort());
    expect(r).toMatchObject({ verdict: 'error', detail: 'aborted', holds: [] });
  });

  it('refuses holds that cannot exceed the requirement', async () => {
    const { route, endpoint, plan } = proxiedTarget(patient, patient.squid.port);
    const r = await measureIdle(route, endpoint, plan.settings, { holdSeconds: [1, 2], requiredSeconds: 2 });
    expect(r.verdict).toBe('error');
    expect(r.detail).toBe('the longest hold (2 s) does not exceed the requirement (2 s)');
  });
});
