// The timed connector: DNS -> TCP -> (proxy CONNECT) -> TLS, each step a phase on the probe's clock, all of them
// bound to the probe's one AbortSignal. Probes (http, idle tunnel, sign-in) build on the socket it hands back.
import { lookup } from 'node:dns/promises';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { DEFAULT_TLS_VERSIONS, isUntrustedCertificateCode, type NetSettings, type ProxyHop, type TlsFacts, type TlsVersionRange } from './types.js';
import type { X509Certificate } from 'node:crypto';
import { prepareAnchors, servedCertificates, walkChain, type ChainFacts } from './chain.js';
import { resolveWithServers } from './dns.js';
import { secureContextFor } from './tls-context.js';
import { NetError } from './net-error.js';
import type { PhaseClock } from './phase-clock.js';
import { drainForNextLeg, proxyConnect, type ProxyAnswer } from './proxy-connect.js';
import { withProxyAuth } from './auth/legs.js';
import type { AuthOutcome } from './auth/scheme.js';

export interface ConnectRequest {
  host: string;
  port: number;
  tls: boolean;
  /** Through this proxy; for a plain-HTTP target the socket is to the proxy itself (absolute-form requests). */
  proxy?: ProxyHop;
  /** Trust anchors for TLS (system roots plus extras); undefined = Node's defaults. */
  ca?: string[];
  /** Name -> address pins (like curl --resolve). */
  resolve?: Record<string, string>;
  /** DNS servers to ask instead of the system resolver (config dns.servers). */
  dnsServers?: readonly string[];
  /** TLS versions to offer; TLS 1.2 only by default. */
  tlsVersions?: TlsVersionRange;
  signal: AbortSignal;
  clock: PhaseClock;
  /** Filled in as steps complete, so a caller still knows the proxy's answer when a later step fails. */
  facts?: { proxyStatus?: number; remoteAddress?: string; auth?: AuthOutcome };
}

export interface Connection {
  socket: Socket | TLSSocket;
  /** The TCP socket under `socket` (the same object when there is no TLS). */
  transport: Socket;
  /** The proxy's answer to CONNECT, when one was sent. */
  proxyAnswer?: ProxyAnswer;
  /** How the proxy was authenticated to, when it asked. */
  auth?: AuthOutcome;
  tls?: TlsFacts;
  /**
   * The certificates the server sent, leaf first (for reading their revocation URLs). Node 20 answers
   * getPeerX509Certificate() once per socket, so the leaf is kept here rather than asked for again.
   */
  peerCertificates?: () => X509Certificate[];
  remoteAddress?: string;
}

const abortError = (phase: NetError['phase']) => new NetError(phase, 'ETIMEDOUT', `no progress before the probe timeout (in ${phase})`);

/** Runs one step, rejecting as soon as the signal aborts; `onAbort` releases what the step holds. */
function step<T>(signal: AbortSignal, phase: NetError['phase'] | (() => NetError['phase']), run: () => Promise<T>, onAbort?: () => void): Promise<T> {
  const phaseNow = () => (typeof phase === 'function' ? phase() : phase);
  if (signal.aborted) return Promise.reject(abortError(phaseNow()));
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(abortError(phaseNow()));
    };
    signal.addEventListener('abort', abort, { once: true });
    run().then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

export async function resolveHost(host: string, pins: Record<string, string> | undefined, signal: AbortSignal, dnsServers?: readonly string[]): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return bare;
  const pinned = pins?.[host.toLowerCase()];
  if (pinned) return pinned;
  return step(signal, 'dns', async () => {
    try {
      if (dnsServers && dnsServers.length > 0) return await resolveWithServers(bare, dnsServers, signal, 5000);
      const { address } = await lookup(bare, { verbatim: true });
      return address;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EDNS';
      throw new NetError('dns', code, `the name ${bare} does not resolve (${code})`);
    }
  });
}

function tcp(address: string, port: number, signal: AbortSignal, phaseName: 'connect'): Promise<Socket> {
  let socket: Socket | undefined;
  return step(
    signal,
    phaseName,
    () =>
      new Promise<Socket>((resolve, reject) => {
        socket = tcpConnect({ host: address, port, noDelay: true });
        const onError = (err: NodeJS.ErrnoException) => reject(new NetError(phaseName, err.code ?? 'ECONNECT', `${err.code ?? 'error'} connecting to ${address}:${port}`));
        socket.once('error', onError);
        socket.once('connect', () => {
          socket!.off('error', onError);
          resolve(socket!);
        });
      }),
    () => socket?.destroy(),
  );
}

/** Opens a TCP connection to host:port (resolved as a probe would) and closes it: is something listening there? */
export async function reachTcp(host: string, port: number, settings: Pick<NetSettings, 'resolve' | 'dnsServers'>, signal: AbortSignal): Promise<void> {
  const address = await resolveHost(host, settings.resolve, signal, settings.dnsServers);
  const socket = await tcp(address, port, signal, 'connect');
  socket.destroy();
}

/**
 * Builds the trust store of a plan ahead of its probes: the tens of milliseconds it blocks the event loop then fall
 * outside every probe's timings instead of inside the first one's (which would be marked timingDisturbed).
 */
export function prepareTrust(ca: string[] | undefined, versions: TlsVersionRange = DEFAULT_TLS_VERSIONS): void {
  secureContextFor(ca, versions);
  prepareAnchors(ca);
}

const offered = (v: TlsVersionRange) => (v.min === v.max ? `${v.min} only` : `${v.min} to ${v.max}`);

// Node's tls.connect asks getPeerCertificate(true) on every full handshake only to hand the result to
// checkServerIdentity: the whole chain as plain JS objects, fingerprints and all (6-10% of the daemon's CPU in the
// bench profile). The name is checked on the leaf's X509Certificate instead, which the probe needs anyway, and the
// legacy call, which nothing else on a probe's socket makes, answers an empty object.
const NO_LEGACY_CERTIFICATE = () => ({});

/** Node's checkServerIdentity on the leaf: its DNS names (or its subject's CN when it has none), or its IP addresses. */
export function nameMismatch(leaf: X509Certificate | undefined, name: string): Error | undefined {
  if (leaf && (isIP(name) ? leaf.checkIP(name) : leaf.checkHost(name))) return undefined;
  const names = leaf?.subjectAltName ?? (leaf ? `subject ${leaf.subject.replace(/\n/g, ', ')}` : 'no certificate');
  const err: NodeJS.ErrnoException = new Error(`Hostname/IP does not match certificate's altnames: ${name} is not in the cert's list: ${names}`);
  err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  return err;
}

// The ALPN list in its wire form (length-prefixed names), made once: Node converts an array of names on every connect.
const HTTP_1_1_ALPN = Buffer.from([8, ...Buffer.from('http/1.1', 'latin1')]);

function tlsHandshake(socket: Socket, servername: string, ca: string[] | undefined, versions: TlsVersionRange, signal: AbortSignal): Promise<{ socket: TLSSocket; leaf: X509Certificate | undefined }> {
  let tlsSocket: TLSSocket | undefined;
  let leaf: X509Certificate | undefined;
  return step(
    signal,
    'tls',
    () =>
      new Promise<{ socket: TLSSocket; leaf: X509Certificate | undefined }>((resolve, reject) => {
        tlsSocket = tlsConnect({
          socket,
          servername: isIP(servername) ? undefined : servername,
          secureContext: secureContextFor(ca, versions),
          rejectUnauthorized: true,
          ALPNProtocols: HTTP_1_1_ALPN,
          checkServerIdentity: () => {
            leaf = tlsSocket!.getPeerX509Certificate();
            return nameMismatch(leaf, servername);
          },
        });
        Object.defineProperty(tlsSocket, 'getPeerCertificate', { value: NO_LEGACY_CERTIFICATE });
        const onError = (err: NodeJS.ErrnoException) => {
          const code = err.code ?? 'ETLS';
          const what = isUntrustedCertificateCode(code) ? `the certificate of ${servername} is not trusted (${code})` : `TLS handshake with ${servername} failed (${code}; offered ${offered(versions)})`;
          reject(new NetError('tls', code, what));
        };
        tlsSocket.once('error', onError);
        tlsSocket.once('secureConnect', () => {
          tlsSocket!.off('error', onError);
          resolve({ socket: tlsSocket!, leaf: leaf ?? tlsSocket!.getPeerX509Certificate() });
        });
      }),
    () => {
      tlsSocket?.destroy();
      socket.destroy();
    },
  );
}

// The certificate facts of a chain, by the leaf's SHA-256 fingerprint, per trust store. The legacy
// getPeerCertificate(true) builds JS objects for every certificate (see NO_LEGACY_CERTIFICATE); X509Certificate
// objects compute only what is asked, and a chain seen before is not walked again.
const chainFacts = new WeakMap<object, Map<string, ChainFacts>>();
const SYSTEM_STORE = {};
const MAX_CHAINS = 256;

export function tlsFacts(socket: TLSSocket, ca?: readonly string[], leaf = socket.getPeerX509Certificate()): TlsFacts {
  const version = socket.getProtocol() ?? 'unknown';
  const cipher = socket.getCipher()?.name ?? 'unknown';
  if (!leaf) return { version, cipher, subject: '', issuer: '', validToSeconds: 0, earliestExpirySeconds: 0, chain: [] };
  const storeKey = ca ?? SYSTEM_STORE;
  let cache = chainFacts.get(storeKey);
  if (!cache) chainFacts.set(storeKey, (cache = new Map()));
  const fingerprint = leaf.fingerprint256;
  let chain = cache.get(fingerprint);
  if (!chain) {
    chain = walkChain(leaf, ca);
    if (cache.size >= MAX_CHAINS) cache.delete(cache.keys().next().value!);
    cache.set(fingerprint, chain);
  }
  // A copy: probes add the root they judged, and the cached facts are shared by every probe of this chain.
  return { version, cipher, ...chain };
}

/**
 * Opens the connection a probe speaks HTTP over. Through a proxy to an HTTPS target: DNS of the proxy, TCP to it,
 * CONNECT, TLS to the target inside the tunnel. Through a proxy to an HTTP target: DNS and TCP to the proxy only.
 * Direct: DNS of the target, TCP, TLS. A non-2xx answer to CONNECT rejects with a NetError carrying the status.
 */
/**
 * Closes a connection now: the TLS layer and the TCP socket under it. Destroying only the TLS socket leaves the TCP
 * socket to be closed on a later turn of a busy event loop, so a run would briefly hold more connections than its
 * concurrency.
 */
export function closeConnection(connection: Connection | undefined): void {
  connection?.socket.destroy();
  connection?.transport.destroy();
}

export async function openConnection(req: ConnectRequest): Promise<Connection> {
  const { clock, signal } = req;
  const hopHost = req.proxy ? req.proxy.host : req.host;
  const hopPort = req.proxy ? req.proxy.port : req.port;

  clock.enter('dns');
  const address = await resolveHost(hopHost, req.resolve, signal, req.dnsServers);

  clock.enter('connect');
  let socket: Socket;
  try {
    socket = await tcp(address, hopPort, signal, 'connect');
  } catch (err) {
    if (err instanceof NetError && req.proxy && err.code !== 'ETIMEDOUT') {
      throw new NetError('connect', err.code, `the proxy ${req.proxy.host}:${req.proxy.port} cannot be reached (${err.code})`);
    }
    throw err;
  }
  const connection: Connection = { socket, transport: socket, remoteAddress: address };
  if (req.facts) req.facts.remoteAddress = address;
  try {
    if (req.proxy && req.tls) {
      clock.enter('proxy_connect');
      const answer = await connectThroughProxy(req, connection, address);
      socket = connection.transport;
      connection.proxyAnswer = answer;
      if (req.facts) req.facts.proxyStatus = answer.status;
      if (answer.status < 200 || answer.status > 299) {
        socket.destroy();
        const proxyError = answer.headers.get('x-squid-error')?.[0];
        throw new NetError('proxy_connect', `PROXY_${answer.status}`, `the proxy answered CONNECT ${req.host}:${req.port} with ${answer.status} ${answer.statusText}${proxyError ? ` (${proxyError})` : ''}`.trim(), {
          proxyStatus: answer.status,
          proxyHeaders: answer.headers,
          authScheme: connection.auth?.scheme,
        });
      }
    }
    if (req.tls) {
      clock.enter('tls');
      const { socket: tlsSocket, leaf } = await tlsHandshake(socket, req.host, req.ca, req.tlsVersions ?? DEFAULT_TLS_VERSIONS, signal);
      connection.socket = tlsSocket;
      connection.tls = tlsFacts(tlsSocket, req.ca, leaf);
      connection.peerCertificates = () => servedCertificates(leaf);
    }
    return connection;
  } catch (err) {
    connection.socket.destroy();
    connection.transport.destroy();
    throw err;
  }
}

/** A new TCP connection to the same address in place of the connection's (a proxy closed it after a 407). */
export async function reopenTransport(connection: Connection, address: string, port: number, signal: AbortSignal): Promise<Socket> {
  connection.transport.destroy();
  const fresh = await tcp(address, port, signal, 'connect');
  connection.socket = fresh;
  connection.transport = fresh;
  return fresh;
}

/**
 * CONNECT, answering the proxy's 407s on the same connection while it stays open (NTLM and Negotiate authenticate
 * the connection); a proxy that closes after a 407 gets the next leg on a new one. Leaves the connection's
 * transport at the first tunnel byte.
 */
async function connectThroughProxy(req: ConnectRequest, connection: Connection, address: string): Promise<ProxyAnswer> {
  const { clock, signal } = req;
  const hop = req.proxy!;
  const handshake = hop.authenticator?.start(hop.host);
  if (handshake) {
    connection.auth = handshake.outcome;
    if (req.facts) req.facts.auth = handshake.outcome;
  }
  let reusable = true;
  let last: ProxyAnswer | undefined;
  const send = async (authorization: string | undefined) => {
    if (last && !reusable) await reopenTransport(connection, address, hop.port, signal);
    const socket = connection.transport;
    const answer = await proxyConnect(socket, req.host, req.port, authorization);
    last = answer;
    // Only a 407 that the handshake will answer needs its body out of the way.
    reusable = answer.status === 407 && handshake ? await drainForNextLeg(socket, answer) : true;
    return { ...answer, proxyAuthenticate: answer.headers.get('proxy-authenticate') ?? [] };
  };
  return step(
    signal,
    () => (clock.lastPhase === 'proxy_auth' ? 'proxy_auth' : 'proxy_connect'),
    () => withProxyAuth(handshake, clock, 'proxy_connect', send),
    () => connection.transport.destroy(),
  );
}
