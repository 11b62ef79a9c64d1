// The 407 -> Proxy-Authorization -> 407 -> ... loop, shared by CONNECT and the absolute-form GET. The time it
// takes (the first round trip that drew the 407, token making, the KDC, the legs in between) is the proxy_auth
// phase; the round trip of the request that finally went through keeps its own phase, so an authenticated probe's
// proxy_connect (or request) reads like an unauthenticated one's and the phases still sum to the total.
import { NetError } from '../net-error.js';
import type { PhaseClock } from '../phase-clock.js';
import type { Phase } from '../types.js';
import { AuthError, MAX_AUTH_LEGS, type AuthHandshake } from './scheme.js';

export interface LegAnswer {
  status: number;
  proxyAuthenticate: readonly string[];
  /** When the request went out (process.hrtime.bigint()). */
  sentAt: bigint;
}

/**
 * Sends the request (with the handshake's first value, if it has one), answers each 407 through the handshake and
 * resends, and returns the first answer that is not a 407 (or a 407 when there is no handshake). A handshake that
 * cannot go on becomes a NetError in phase proxy_auth with the AuthError's code.
 */
export async function withProxyAuth<A extends LegAnswer>(handshake: AuthHandshake | undefined, clock: PhaseClock, phase: Phase, send: (authorization: string | undefined) => Promise<A>): Promise<A> {
  let answer = await send(await first(handshake, clock));
  if (!handshake || answer.status !== 407) return answer;
  clock.enter('proxy_auth', answer.sentAt);
  for (let leg = 0; answer.status === 407; leg++) {
    let authorization: string;
    try {
      if (leg > MAX_AUTH_LEGS) throw new AuthError('TOO_MANY_LEGS', `the proxy still asked for authentication after ${MAX_AUTH_LEGS} answers`, handshake.outcome.scheme);
      authorization = await handshake.respond(answer.proxyAuthenticate);
    } catch (err) {
      throw authFailure(err, answer.proxyAuthenticate);
    }
    answer = await send(authorization);
  }
  clock.enter(phase, answer.sentAt);
  return answer;
}

async function first(handshake: AuthHandshake | undefined, clock: PhaseClock): Promise<string | undefined> {
  try {
    return await handshake?.first();
  } catch (err) {
    clock.enter('proxy_auth');
    throw authFailure(err, []);
  }
}

function authFailure(err: unknown, proxyAuthenticate: readonly string[]): unknown {
  if (!(err instanceof AuthError)) return err;
  return new NetError('proxy_auth', err.code, err.message, {
    proxyStatus: 407,
    proxyHeaders: new Map([['proxy-authenticate', [...proxyAuthenticate]]]),
    authScheme: err.scheme,
  });
}
