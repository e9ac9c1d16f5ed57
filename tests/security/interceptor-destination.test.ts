// Attack: the signing interceptor composed onto a dispatcher for another
// server. A Client or Pool sends every request to its own origin, whatever
// opts.origin says, and dispatches without opts.origin at all; the
// interceptor, which undici's compose() hands nothing but `dispatch`,
// used to take such a request to be for its one listed origin. It signed
// `host` = the API's host and handed that signature to the other server,
// which replayed it to the API and got 200. Real loopback servers: the API
// (a real verifier) and the attacker's server, which records every request
// and answers 200.
import { signingInterceptor, type SigningInterceptorOptions } from '@sigil/fetch';
import { Agent, Client, Pool, fetch as undiciFetch, getGlobalDispatcher, request, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY, KEY_ID } from './helpers/keys.js';
import { closeAll, resend, startRecorder, startStack, withHeader, type Recorder, type Stack } from './helpers/stack.js';

const SIGNED_HEADERS = ['sigil-signature', 'signature', 'signature-input'];

let api: Stack;
/** The attacker's server: records every request, answers 200. */
let evil: Recorder;
const opened: Dispatcher[] = [];

function interceptor(extra: Partial<SigningInterceptorOptions> = {}): Dispatcher.DispatcherComposeInterceptor {
  return signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: [api.origin], ...extra });
}

function track<T extends Dispatcher>(dispatcher: T): T {
  opened.push(dispatcher);
  return dispatcher;
}

/** Nothing that carries a signature ever reached the attacker's server. */
function expectNothingSigned(): void {
  for (const request of evil.captured) {
    const names = request.headers.map(([name]) => name.toLowerCase());
    for (const name of SIGNED_HEADERS) expect(names, `${request.target} carried ${name}`).not.toContain(name);
  }
}

/** The attacker replays everything it captured to the API, Host set to the API's: none of it is accepted. */
async function expectReplaysFail(): Promise<void> {
  const apiHost = new URL(api.origin).host;
  for (const request of evil.captured) {
    const answer = await resend(api.origin, withHeader(request, 'host', apiHost));
    expect(answer.status, `replay of ${request.target}`).toBe(401);
  }
  expect(api.accepted).toHaveLength(0);
}

/** A request through `dispatcher`, settled to its status or its error code. */
async function outcome(run: () => Promise<Dispatcher.ResponseData>): Promise<number | string> {
  try {
    const res = await run();
    await res.body.text();
    return res.statusCode;
  } catch (error) {
    return (error as { code?: string }).code ?? 'error';
  }
}

beforeAll(async () => {
  [api, evil] = await Promise.all([startStack(), startRecorder((_captured, res) => res.end('thanks'))]);
});
afterAll(closeAll);
beforeEach(() => {
  evil.captured.length = 0;
  api.accepted.length = 0;
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

describe.each([
  ['Client', (origin: string) => new Client(origin)],
  ['Pool', (origin: string) => new Pool(origin)],
] as const)('attacker behind a %s the signing interceptor is composed onto', (_name, make) => {
  it('an unlisted server gets no signature, so it has nothing to replay', async () => {
    const dispatcher = track(make(evil.origin)).compose(interceptor());
    await outcome(() => dispatcher.request({ path: '/steal', method: 'GET' }));
    await outcome(() => dispatcher.request({ path: '/steal-post', method: 'POST', body: 'x' }));
    expectNothingSigned();
    await expectReplaysFail();
  });

  it('nor with the RFC 9421 scheme (no Signature or Signature-Input)', async () => {
    const dispatcher = track(make(evil.origin)).compose(interceptor({ scheme: 'rfc9421' }));
    await outcome(() => dispatcher.request({ path: '/steal', method: 'GET' }));
    expectNothingSigned();
  });

  it('a dispatch without opts.origin and no stated dispatcherOrigin is refused before anything is sent', async () => {
    const dispatcher = track(make(evil.origin)).compose(interceptor());
    expect(await outcome(() => dispatcher.request({ path: '/steal', method: 'GET' }))).toBe('invalid_option');
    expect(evil.captured).toHaveLength(0);
  });

  it('a request naming the API in opts.origin, sent through the dispatcher for the attacker, is not signed', async () => {
    const dispatcher = track(make(evil.origin)).compose(interceptor({ dispatcherOrigin: evil.origin }));
    expect(await outcome(() => request(`${api.origin}/steal`, { dispatcher }))).toBe('origin_not_allowed');
    expect(await outcome(() => dispatcher.request({ origin: api.origin, path: '/steal', method: 'GET' }))).toBe('origin_not_allowed');
    expectNothingSigned();
    await expectReplaysFail();
  });

  it('without dispatcherOrigin, a request naming the API in opts.origin is stopped before it is written to the attacker', async () => {
    const dispatcher = track(make(evil.origin)).compose(interceptor());
    expect(await outcome(() => request(`${api.origin}/steal`, { dispatcher }))).toBe('origin_not_allowed');
    expect(await outcome(() => dispatcher.request({ origin: api.origin, path: '/steal', method: 'POST', body: 'x' }))).toBe('origin_not_allowed');
    expect(await outcome(() => request(`${api.origin}/steal`, { dispatcher: track(make(evil.origin)).compose(interceptor({ scheme: 'rfc9421' })) }))).toBe(
      'origin_not_allowed',
    );
    expect(evil.captured).toHaveLength(0);
    await expectReplaysFail();
  });

  it('stated as the attacker, the dispatcher passes requests through unsigned', async () => {
    const dispatcher = track(make(evil.origin)).compose(interceptor({ dispatcherOrigin: evil.origin }));
    expect(await outcome(() => dispatcher.request({ path: '/plain', method: 'GET' }))).toBe(200);
    expect(evil.captured).toHaveLength(1);
    expectNothingSigned();
  });

  it('stated as the API (listed), requests to the API are signed and accepted', async () => {
    const dispatcher = track(make(api.origin)).compose(interceptor({ dispatcherOrigin: api.origin }));
    expect(await outcome(() => dispatcher.request({ path: '/ok', method: 'GET' }))).toBe(200);
    expect(await outcome(() => dispatcher.request({ origin: api.origin, path: '/ok2', method: 'POST', body: 'b' }))).toBe(200);
    expect(api.accepted.map((a) => a.target)).toEqual(['/ok', '/ok2']);
  });
});

describe('attacker among the origins an Agent reaches', () => {
  it('the listed origin is signed, the unlisted one gets nothing signed', async () => {
    const dispatcher = track(new Agent()).compose(interceptor());
    expect(await outcome(() => request(`${api.origin}/ok`, { dispatcher }))).toBe(200);
    expect(await outcome(() => request(`${evil.origin}/steal`, { dispatcher }))).toBe(200);
    expect(await outcome(() => dispatcher.request({ origin: evil.origin, path: '/steal2', method: 'GET' }))).toBe(200);
    expect(api.accepted.map((a) => a.target)).toEqual(['/ok']);
    api.accepted.length = 0;
    expect(evil.captured).toHaveLength(2);
    expectNothingSigned();
    await expectReplaysFail();
  });
});

describe('attacker among the origins the global dispatcher reaches', () => {
  let previous: Dispatcher;
  beforeEach(() => {
    previous = getGlobalDispatcher();
    setGlobalDispatcher(track(new Agent()).compose(interceptor()));
  });
  afterEach(() => setGlobalDispatcher(previous));

  it('undici.request and undici.fetch sign for the listed origin only', async () => {
    expect(await outcome(() => request(`${api.origin}/ok`))).toBe(200);
    expect((await undiciFetch(`${api.origin}/ok-fetch`)).status).toBe(200);
    expect(await outcome(() => request(`${evil.origin}/steal`))).toBe(200);
    const res = await undiciFetch(`${evil.origin}/steal-fetch`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    await res.text();
    expect(api.accepted.map((a) => a.target)).toEqual(['/ok', '/ok-fetch']);
    api.accepted.length = 0;
    expect(evil.captured).toHaveLength(2);
    expectNothingSigned();
    await expectReplaysFail();
  });
});
