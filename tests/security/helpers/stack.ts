// The real pieces every attack test drives: a node:http(s) server verifying
// with createVerifier + the node adapter on 127.0.0.1 (random port), the
// real signing client aimed at it, and an on-path attacker (a forwarding
// proxy) that can read, change and resend what the client sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSigningFetch, type SigningFetch, type SigningFetchOptions } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore, type VerificationSuccess, type VerifierEvent, type VerifierOptions } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { KEY, KEY_ID, KEYS } from './keys.js';

const closers: Array<() => Promise<void>> = [];

/** Closes every server, proxy and agent the helpers opened. Call in afterAll. */
export async function closeAll(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}

async function listen(server: Server, host: string): Promise<number> {
  await listenOn(server, 0, host);
  return (server.address() as AddressInfo).port;
}

async function listenOn(server: Server, where: number | string, host?: string): Promise<void> {
  await new Promise<void>((resolve) => (typeof where === 'string' ? server.listen(where, resolve) : server.listen(where, host, resolve)));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

/** What the protected handler saw, echoed as JSON. */
export interface Accepted {
  readonly keyId: string;
  readonly method: string;
  readonly target: string;
  readonly signedHeaders: readonly string[];
  readonly body: string;
  /** The value of x-unsigned as received (never covered unless signed). */
  readonly unsigned?: string;
}

export interface Stack {
  /** `http://127.0.0.1:<port>` (or https:, or the given host). */
  readonly origin: string;
  readonly events: VerifierEvent[];
  readonly accepted: Accepted[];
  readonly server: Server;
}

export interface StackOptions {
  readonly verifier?: Partial<VerifierOptions>;
  readonly tls?: { key: string; cert: string };
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Listen on this Unix socket instead: a real connection whose peer has no
   * IP address, so the verifier cannot treat it as loopback. The origin is
   * then `http://unix-peer.sigil.test`; reach it with `unixAgent(path)`.
   */
  readonly socketPath?: string;
  /** Answers a verified request itself (a redirect, a signed response) when it returns true. */
  readonly handle?: (req: IncomingMessage, res: ServerResponse, result: VerificationSuccess) => boolean;
}

/** A server whose every request goes through createVerifier and sigilListener. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const events: VerifierEvent[] = [];
  const accepted: Accepted[] = [];
  const verifier = createVerifier({
    keys: KEYS,
    nonceStore: new MemoryNonceStore(),
    onEvent: (event) => void events.push(event),
    ...options.verifier,
  });
  const listener = sigilListener(verifier, (req: IncomingMessage, res, result) => {
    if (options.handle?.(req, res, result as VerificationSuccess)) return;
    const seen: Accepted = {
      keyId: result.keyId,
      method: req.method ?? '',
      target: req.url ?? '',
      signedHeaders: result.signedHeaders,
      body: Buffer.from(result.body).toString('utf8'),
      ...(typeof req.headers['x-unsigned'] === 'string' ? { unsigned: req.headers['x-unsigned'] } : {}),
    };
    accepted.push(seen);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
  });
  const server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  if (options.socketPath !== undefined) {
    await listenOn(server, options.socketPath);
    return { origin: 'http://unix-peer.sigil.test', events, accepted, server };
  }
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, host);
  return { origin: `${options.tls ? 'https' : 'http'}://${host}:${port}`, events, accepted, server };
}

/** An undici Agent that connects every request to the Unix socket at `path`, closed by closeAll(). */
export function unixAgent(path: string): Agent {
  const agent = new Agent({ connect: { socketPath: path } });
  closers.push(() => agent.close());
  return agent;
}

/** An undici Agent trusting `ca`, closed by closeAll(). */
export function agentFor(ca?: string): Agent {
  const agent = new Agent(ca ? { connect: { ca } } : {});
  closers.push(() => agent.close());
  return agent;
}

/**
 * The real signing client, bound to `origin` (and only it), sending through
 * undici's fetch with an Agent that trusts `ca` when given.
 */
export function signingClient(origin: string, options: Partial<SigningFetchOptions> = {}, ca?: string): SigningFetch {
  const dispatcher = agentFor(ca);
  return createSigningFetch({
    keyId: KEY_ID,
    secret: KEY,
    origins: [origin],
    fetch: (url, init: object) => undiciFetch(url, { ...init, dispatcher }),
    ...options,
  });
}

/** A request as it crossed the wire. */
export interface Captured {
  readonly method: string;
  readonly target: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** A plain answer: status, headers and body text. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection', 'te', 'upgrade']);

/** Sends a captured (possibly altered) request to `origin` exactly as it is, Host and signature included. */
export async function resend(origin: string, captured: Captured, dispatcher = agentFor()): Promise<Answer> {
  const headers = captured.headers.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())).flat();
  // Dispatcher.request sends `path` as it is (undici.request would resolve dot segments).
  const res = await dispatcher.request({
    origin,
    path: captured.target,
    method: captured.method as 'GET',
    headers,
    ...(captured.body.length > 0 ? { body: captured.body } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

export interface Attacker {
  /** Where the client is pointed: the attacker's proxy. */
  readonly origin: string;
  /** Every request the client sent through it, before any change. */
  readonly captured: Captured[];
  /** What the attacker does to each request before forwarding it. Default: nothing. */
  tamper: (request: Captured) => Captured;
  /**
   * What the attacker does to each answer before the client gets it, given
   * the request it answers (as the client sent it). Default: nothing.
   */
  tamperResponse: (answer: Answer, request: Captured) => Answer;
  /** Every answer the server gave, before any change, in order. */
  readonly answers: Answer[];
}

/** A server of the attacker's: where it listens, and every request it received. */
export interface Recorder {
  readonly origin: string;
  readonly captured: Captured[];
}

/**
 * A server on 127.0.0.1 that records each request as it crossed the wire
 * (Host and signature included), then lets `answer` respond. Closed by closeAll().
 */
export async function startRecorder(answer: (captured: Captured, res: ServerResponse) => void): Promise<Recorder> {
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const request: Captured = { method: req.method ?? 'GET', target: req.url ?? '/', headers, body: Buffer.concat(chunks) };
      captured.push(request);
      answer(request, res);
    });
  });
  const port = await listen(server, '127.0.0.1');
  return { origin: `http://127.0.0.1:${port}`, captured };
}

/** An on-path attacker in front of `upstream`: reads, alters and forwards each request. */
export async function startAttacker(upstream: string): Promise<Attacker> {
  const dispatcher = agentFor();
  const recorder = await startRecorder((captured, res) => {
    resend(upstream, attacker.tamper(captured), dispatcher).then(
      (received) => {
        attacker.answers.push(received);
        const answer = attacker.tamperResponse(received, captured);
        const out = Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name));
        res.writeHead(answer.status, Object.fromEntries(out) as Record<string, string>).end(answer.body);
      },
      () => res.writeHead(502).end(),
    );
  });
  const attacker: Attacker = { origin: recorder.origin, captured: recorder.captured, tamper: (request) => request, tamperResponse: (answer) => answer, answers: [] };
  return attacker;
}

/** The captured request with one header line replaced (or added when absent). */
export function withHeader(request: Captured, name: string, value: string): Captured {
  const lower = name.toLowerCase();
  const kept = request.headers.filter(([n]) => n.toLowerCase() !== lower);
  return { ...request, headers: [...kept, [name, value]] };
}

/** The value of a header of a captured request. */
export function headerOf(request: Captured, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/**
 * Registers the hooks of an attack file: a stack, an attacker in front of
 * it, both reset before each test, everything closed after the file.
 */
export function attackedStack(options: StackOptions = {}): { readonly stack: Stack; readonly attacker: Attacker } {
  const ctx = {} as { stack: Stack; attacker: Attacker };
  beforeAll(async () => {
    ctx.stack = await startStack(options);
    ctx.attacker = await startAttacker(ctx.stack.origin);
  });
  afterAll(closeAll);
  beforeEach(() => {
    ctx.attacker.tamper = (request) => request;
    ctx.attacker.tamperResponse = (answer) => answer;
    ctx.attacker.captured.length = 0;
    ctx.attacker.answers.length = 0;
    ctx.stack.events.length = 0;
    ctx.stack.accepted.length = 0;
  });
  return ctx;
}
