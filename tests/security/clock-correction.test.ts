// Attack: a forged clock correction. Sigil-Server-Time is not signed, so
// whoever sits on the path (a plaintext hop, an intercepting proxy) can
// answer the client's first request with a 401 that says the time is 30
// days ahead. A client that believed any value signed its automatic retry
// 30 days in the future; the attacker kept that retry and replayed it a
// month later, when the API accepted it. The client now learns a correction
// only within maxClockSkewSeconds (default 300), only over TLS or from
// loopback, and retries once: a wrong clock only makes its requests fail.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingInterceptor, type SigningEvent, type SigningFetchOptions } from '@sigil/fetch';
import { MemoryNonceStore } from '@sigil/verify';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeCertificate } from '../../packages/fetch/test/helpers.js';
import { expectNoSecrets, KEY, KEY_ID } from './helpers/keys.js';
import { closeAll, headerOf, resend, signingClient, startRecorder, startStack, unixAgent, withHeader, type Captured, type Recorder, type Stack } from './helpers/stack.js';

const THIRTY_DAYS = 30 * 86_400;
const TOLERANCE = 60;
let serverOffsetMs = 0;
const serverClock = (): number => Date.now() + serverOffsetMs;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

let api: Stack;
let unixApi: Stack;
/** The API over TLS, reached by a name that is not loopback (resolved to 127.0.0.1 by the client's Agent). */
let tlsApi: { origin: string; stack: Stack; agent: () => Agent };
let unixPath: string;
let socketDir: string;
/** The on-path attacker: a forged clock in every answer. */
let forger: Recorder & { serverTime: () => number };
const agents: Agent[] = [];

/** Answers every request with a 401 and a forged Sigil-Server-Time, keeps what it got. */
async function startForger(): Promise<typeof forger> {
  const recorder = await startRecorder((_captured, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'sigil-server-time': String(forger.serverTime()) });
    res.end('{"error":"timestamp_out_of_window"}');
  });
  return { ...recorder, serverTime: () => nowSeconds() + THIRTY_DAYS };
}

function collect(): { events: SigningEvent[]; onEvent: (e: SigningEvent) => void } {
  const events: SigningEvent[] = [];
  return { events, onEvent: (e) => void events.push(e) };
}

/** An undici Agent composed with the signing interceptor for `origin`. */
function interceptorAgent(origin: string, options: Partial<SigningFetchOptions> = {}, agent = new Agent()): Agent {
  agents.push(agent);
  const { fetch: _fetch, redirect: _redirect, ...rest } = options;
  return agent.compose(signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [origin], ...rest })) as Agent;
}

/** The ts= of a captured request's signature. */
function timestampOf(captured: Captured): number {
  return Number(/;ts=(\d+);/.exec(headerOf(captured, 'sigil-signature') ?? '')?.[1]);
}

/** The two clients under test: each sends one GET to `url` and settles to its status. */
const clients = {
  createSigningFetch: async (origin: string, url: string, options: Partial<SigningFetchOptions> = {}): Promise<number> =>
    (await signingClient(origin, options)(url)).status,
  signingInterceptor: async (origin: string, url: string, options: Partial<SigningFetchOptions> = {}): Promise<number> => {
    const res = await request(url, { dispatcher: interceptorAgent(origin, options) });
    await res.body.text();
    return res.statusCode;
  },
};

beforeAll(async () => {
  socketDir = await mkdtemp(join(tmpdir(), 'sigil-clock-'));
  unixPath = join(socketDir, 'api.sock');
  const verifier = { clock: serverClock, nonceStore: new MemoryNonceStore({ clock: serverClock }), toleranceSeconds: TOLERANCE };
  const tls = await makeCertificate(['api.sigil.test']);
  let secure: Stack;
  [api, unixApi, forger, secure] = await Promise.all([
    startStack({ verifier }),
    startStack({ socketPath: unixPath, verifier: { ...verifier, allowInsecureHttp: true } }),
    startForger(),
    startStack({ verifier, tls }),
  ]);
  type Lookup = (host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => void;
  const lookup: Lookup = (_host, options, callback) =>
    options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  tlsApi = {
    origin: `https://api.sigil.test:${new URL(secure.origin).port}`,
    stack: secure,
    agent: () => new Agent({ connect: { ca: tls.cert, lookup: lookup as never } }),
  };
});
afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await closeAll();
  await rm(socketDir, { recursive: true, force: true });
});
beforeEach(() => {
  serverOffsetMs = 0;
  forger.captured.length = 0;
  forger.serverTime = () => nowSeconds() + THIRTY_DAYS;
  api.accepted.length = 0;
  unixApi.accepted.length = 0;
  tlsApi.stack.accepted.length = 0;
});

describe.each(Object.entries(clients))('attacker forges Sigil-Server-Time 30 days ahead (%s)', (_name, send) => {
  it('no signature with a shifted timestamp is emitted, the refusal is an event, and the month-later replay fails', async () => {
    const { events, onEvent } = collect();
    expect(await send(forger.origin, `${forger.origin}/v1/transfer`, { onEvent })).toBe(401);
    // No retry: the one request sent was signed with the local clock.
    expect(forger.captured).toHaveLength(1);
    expect(Math.abs(timestampOf(forger.captured[0]!) - nowSeconds())).toBeLessThanOrEqual(2);
    const refusal = events.find((e) => e.type === 'clock-refused');
    expect(refusal).toMatchObject({ code: 'timestamp_out_of_window', status: 401, reason: 'skew', keyId: KEY_ID, path: '/v1/transfer' });
    expect(refusal!.offsetSeconds).toBeGreaterThanOrEqual(THIRTY_DAYS - 2);
    expect(events.map((e) => e.type)).toEqual(['signed', 'clock-refused']);
    expectNoSecrets(JSON.stringify(events), 'the clock-refused event', [headerOf(forger.captured[0]!, 'sigil-signature')!]);

    // The next request still uses the local clock: nothing was learned.
    expect(await send(forger.origin, `${forger.origin}/v1/again`)).toBe(401);
    expect(Math.abs(timestampOf(forger.captured[1]!) - nowSeconds())).toBeLessThanOrEqual(2);

    // A month later, the attacker replays everything it kept to the API.
    serverOffsetMs = THIRTY_DAYS * 1000;
    const apiHost = new URL(api.origin).host;
    for (const captured of forger.captured) {
      const replay = await resend(api.origin, withHeader(captured, 'host', apiHost));
      expect(replay.status).toBe(401);
    }
    expect(api.accepted).toHaveLength(0);
  });

  it('a clock within maxClockSkewSeconds that keeps moving is retried once, no more', async () => {
    let n = 0;
    forger.serverTime = () => nowSeconds() + (n++ % 2 === 0 ? 200 : -200);
    const { events, onEvent } = collect();
    expect(await send(forger.origin, `${forger.origin}/v1/moving`, { onEvent })).toBe(401);
    expect(forger.captured).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['signed', 'retry', 'signed']);
  });

  it('maxClockSkewSeconds raises the bound when the user accepts it', async () => {
    forger.serverTime = () => nowSeconds() + 1000;
    expect(await send(forger.origin, `${forger.origin}/v1/wide`, { maxClockSkewSeconds: 1200 })).toBe(401);
    expect(forger.captured).toHaveLength(2);
    expect(timestampOf(forger.captured[1]!) - nowSeconds()).toBeGreaterThanOrEqual(998);
  });
});

describe.each(Object.entries(clients))('legitimate clock skew within the bound (%s)', (_name, send) => {
  it('a server 200 s ahead (window 60 s) is corrected once and accepted', async () => {
    serverOffsetMs = 200_000;
    const { events, onEvent } = collect();
    expect(await send(api.origin, `${api.origin}/v1/me`, { onEvent })).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['signed', 'retry', 'signed']);
    expect(events[1]!.offsetSeconds).toBeGreaterThanOrEqual(199);
    expect(api.accepted).toHaveLength(1);
  });

  it('a correction over TLS from a host that is not loopback is believed', async () => {
    serverOffsetMs = 200_000;
    const { events, onEvent } = collect();
    const agent = tlsApi.agent();
    agents.push(agent);
    const status =
      _name === 'createSigningFetch'
        ? await send(tlsApi.origin, `${tlsApi.origin}/v1/me`, { onEvent, fetch: (url: string, init: object) => undiciFetch(url, { ...init, dispatcher: agent }) })
        : await (async () => {
            const res = await request(`${tlsApi.origin}/v1/me`, { dispatcher: interceptorAgent(tlsApi.origin, { onEvent }, agent) });
            await res.body.text();
            return res.statusCode;
          })();
    expect(status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['signed', 'retry', 'signed']);
    expect(tlsApi.stack.accepted).toHaveLength(1);
  });

  it('a correction from a plain-http origin that is not loopback is not believed', async () => {
    serverOffsetMs = 200_000;
    const { events, onEvent } = collect();
    const dispatcher = unixAgent(unixPath);
    const status =
      _name === 'createSigningFetch'
        ? await send(unixApi.origin, `${unixApi.origin}/v1/me`, {
            onEvent,
            allowInsecureHttp: true,
            fetch: (url: string, init: object) => undiciFetch(url, { ...init, dispatcher }),
          })
        : await (async () => {
            const res = await request(`${unixApi.origin}/v1/me`, {
              dispatcher: interceptorAgent(unixApi.origin, { onEvent, allowInsecureHttp: true }, new Agent({ connect: { socketPath: unixPath } })),
            });
            await res.body.text();
            return res.statusCode;
          })();
    expect(status).toBe(401);
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['signed', undefined],
      ['clock-refused', 'transport'],
    ]);
    expect(unixApi.accepted).toHaveLength(0);
  });
});
