import { describe, expect, it } from 'vitest';
import { PhaseClock } from '../../agent/net/phase-clock.js';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // time passes
  }
};

describe('PhaseClock', () => {
  it('leaves no moment outside a phase: the first phase starts with the clock, so phases sum to the total', () => {
    const clock = new PhaseClock();
    spin(2); // work before the first phase is entered still belongs to a phase
    clock.enter('dns');
    spin(1);
    clock.enter('connect');
    clock.finish();
    const sum = Object.values(clock.phases()).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - clock.totalSeconds())).toBeLessThan(1e-9);
    expect(clock.phases().dns).toBeGreaterThanOrEqual(0.003 - 1e-4);
  });

  it('starts a phase at a timestamp taken earlier, where the event happened', () => {
    const clock = new PhaseClock();
    clock.enter('connect');
    const requestSent = process.hrtime.bigint();
    clock.enter('request', requestSent);
    spin(2);
    const firstByte = process.hrtime.bigint();
    spin(3); // the promise's turn: not the endpoint's time
    clock.enter('transfer', firstByte);
    clock.finish();
    const { request, transfer } = clock.phases();
    // Exactly the span between the two events, however busy the machine was around them.
    expect(request).toBeCloseTo(Number(firstByte - requestSent) / 1e9, 9);
    expect(transfer).toBeGreaterThanOrEqual(0.003 - 1e-4);
    expect(Math.abs(clock.phases().connect! + request! + transfer! - clock.totalSeconds())).toBeLessThan(1e-9);
  });
});
