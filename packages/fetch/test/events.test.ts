// Client audit events (onEvent) from createSigningFetch and the undici
// interceptor, against real servers on two loopback ports: one event per
// signed attempt, refusal, redirect hop and clock retry, and never the
// secret, a MAC, a nonce, the query string or the body.
import { base64urlEncode, hexEncode, importKey } from '@sigil/core';
import { createSigningFetch, signingInterceptor, type SigningEvent } from '@sigil/fetch';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SECRET_BYTES, startServer, type Route, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
let a: TestServer;
let b: TestServer;
const dispatchers: Dispatcher[] = [];

/** 401 with Sigil-Server-Time on the first request of a path, 200 afterwards. */
function skewOnce(): Route {
  const seenPaths = new Set<string>();
  return (seen, res) => {
    if (!seenPaths.has(seen.url)) {
      seenPaths.add(seen.url);
      res.writeHead(401, { 'content-type': 'application/json', 'sigil-server-time': String(Math.floor(Date.now() / 1000) + 200) });
      return res.end('{"error":"timestamp_out_of_window"}');
    }
    res.writeHead(200).end('ok');
  };
}

function routes(table: Record<string, Route>): Route {
  return (seen, res, server) => {
    const route = table[new URL(seen.url, 'http://x').pathname];
    if (route) return route(seen, res, server);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };
}

const redirectTo = (location: () => string): Route => (_seen, res) => void res.writeHead(302, { location: location() }).end();

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(key), startServer(key)]);
  const skew = skewOnce();
  a.route = routes({
    '/same': redirectTo(() => '/final?hop=1'),
    '/cross': redirectTo(() => `${b.origin}/landing?token=abc`),
    '/skewed': skew,
  });
});
afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await Promise.all([a.close(), b.close()]);
});
beforeEach(() => {
  a.seen.length = 0;
  b.seen.length = 0;
});

/** Everything secret a request carried: MACs and nonces seen by the servers, the secret in its forms. */
function secretsSeen(): string[] {
  const params = [...a.seen, ...b.seen].flatMap((s) => (s.params ? [s.params.mac, s.params.nonce] : []));
  return [...params, hexEncode(SECRET_BYTES), base64urlEncode(SECRET_BYTES)];
}

function assertSecretFree(events: readonly SigningEvent[]): void {
  const text = JSON.stringify(events);
  for (const secret of secretsSeen()) expect(text).not.toContain(secret);
  expect(text).not.toContain('?');
  expect(text).not.toContain('sigil-signature');
  expect(text).not.toContain('the body');
  for (const event of events) {
    expect(Object.keys(event).every((k) => ['type', 'code', 'keyId', 'method', 'origin', 'path', 'status', 'signed', 'reason', 'offsetSeconds'].includes(k))).toBe(true);
  }
}

function collector(): { events: SigningEvent[]; onEvent: (e: SigningEvent) => void } {
  const events: SigningEvent[] = [];
  return { events, onEvent: (e) => void events.push(e) };
}

describe('createSigningFetch onEvent', () => {
  it('reports each signed attempt with method, origin and the path without its query', async () => {
    const { events, onEvent } = collector();
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*', onEvent });
    await (await signedFetch(`${a.origin}/v1/orders?secret-ish=1`, { method: 'POST', body: 'the body' })).text();
    expect(events).toEqual([{ type: 'signed', keyId: 'client-1', method: 'POST', origin: a.origin, path: '/v1/orders' }]);
    assertSecretFree(events);
  });

  it('reports a same-origin redirect, then the re-signed hop', async () => {
    const { events, onEvent } = collector();
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin], onEvent });
    await (await signedFetch(`${a.origin}/same`)).text();
    expect(events.map((e) => [e.type, e.path, e.status, e.signed])).toEqual([
      ['signed', '/same', undefined, undefined],
      ['redirect', '/final', 302, true],
      ['signed', '/final', undefined, undefined],
    ]);
    assertSecretFree(events);
  });

  it('reports a refused cross-origin redirect with its destination, and an unsigned one followed', async () => {
    const refused = collector();
    const strict = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin, b.origin], onEvent: refused.onEvent });
    await expect(strict(`${a.origin}/cross`)).rejects.toMatchObject({ code: 'redirect_cross_origin' });
    expect(refused.events.at(-1)).toEqual({ type: 'refused', code: 'redirect_cross_origin', keyId: 'client-1', method: 'GET', origin: b.origin, path: '/landing' });

    const followed = collector();
    const lax = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin], redirect: { crossOrigin: 'follow-unsigned' }, onEvent: followed.onEvent });
    await (await lax(`${a.origin}/cross`)).text();
    expect(followed.events.map((e) => [e.type, e.origin, e.signed])).toEqual([
      ['signed', a.origin, undefined],
      ['redirect', b.origin, false],
    ]);
    expect(b.seen[0]!.signature).toBeUndefined();
    assertSecretFree([...refused.events, ...followed.events]);
  });

  it('reports the clock-skew retry and the second signed attempt', async () => {
    const { events, onEvent } = collector();
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin], onEvent });
    expect((await signedFetch(`${a.origin}/skewed?fetch=1`)).status).toBe(200);
    expect(events.map((e) => [e.type, e.code, e.status])).toEqual([
      ['signed', undefined, undefined],
      ['retry', 'timestamp_out_of_window', 401],
      ['signed', undefined, undefined],
    ]);
    assertSecretFree(events);
  });

  it('reports refusals before anything is sent: transport, origin, body size', async () => {
    const { events, onEvent } = collector();
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: [a.origin], maxBodyBytes: 4, onEvent });
    await expect(signedFetch('http://api.example.com/x?q=1')).rejects.toMatchObject({ code: 'origin_not_allowed' });
    await expect(signedFetch(`${b.origin}/x`)).rejects.toMatchObject({ code: 'origin_not_allowed' });
    await expect(signedFetch(`${a.origin}/x`, { method: 'POST', body: 'the body' })).rejects.toMatchObject({ code: 'body_too_large' });
    const open = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*', onEvent });
    await expect(open('http://api.example.com/x?q=1')).rejects.toMatchObject({ code: 'insecure_transport' });
    expect(events.map((e) => [e.type, e.code, e.origin, e.path])).toEqual([
      ['refused', 'origin_not_allowed', 'http://api.example.com', '/x'],
      ['refused', 'origin_not_allowed', b.origin, '/x'],
      ['refused', 'body_too_large', a.origin, '/x'],
      ['refused', 'insecure_transport', 'http://api.example.com', '/x'],
    ]);
    expect(a.seen.length + b.seen.length).toBe(0);
    assertSecretFree(events);
  });

  it('a throwing hook changes nothing', async () => {
    const signedFetch = createSigningFetch({
      keyId: 'client-1', secret: key, origins: [a.origin],
      onEvent: () => {
        throw new Error('metrics down');
      },
    });
    expect((await signedFetch(`${a.origin}/x`)).status).toBe(200);
    await expect(signedFetch(`${b.origin}/x`)).rejects.toMatchObject({ code: 'origin_not_allowed' });
  });

  it('refuses a hook that is not a function, naming the option', () => {
    expect(() => createSigningFetch({ keyId: 'k', secret: key, origins: '*', onEvent: 'log' as never })).toThrow(/options\.onEvent/);
  });
});

describe('signingInterceptor onEvent', () => {
  function agent(onEvent: (e: SigningEvent) => void, extra: Partial<Parameters<typeof signingInterceptor>[0]> = {}, ...more: Dispatcher.DispatcherComposeInterceptor[]): Dispatcher {
    const base = new Agent();
    dispatchers.push(base);
    return base.compose(signingInterceptor({ keyId: 'client-1', secret: key, origins: [a.origin], onEvent, ...extra }), ...more);
  }

  it('reports signed dispatches, retries and refusals; unlisted origins pass without an event', async () => {
    const { events, onEvent } = collector();
    const dispatcher = agent(onEvent, { maxBodyBytes: 4 });
    await (await request(`${a.origin}/skewed?undici=1`, { dispatcher })).body.text();
    await (await request(`${b.origin}/elsewhere`, { dispatcher })).body.text();
    await expect(request(`${a.origin}/big?x=1`, { dispatcher, method: 'PUT', body: 'the body' })).rejects.toMatchObject({ code: 'body_too_large' });
    expect(events.map((e) => [e.type, e.code, e.method, e.origin, e.path])).toEqual([
      ['signed', undefined, 'GET', a.origin, '/skewed'],
      ['retry', 'timestamp_out_of_window', 'GET', a.origin, '/skewed'],
      ['signed', undefined, 'GET', a.origin, '/skewed'],
      ['refused', 'body_too_large', 'PUT', a.origin, '/big'],
    ]);
    expect(b.seen[0]!.signature).toBeUndefined();
    assertSecretFree(events);
  });

  it('reports a redirect chain leaving its origin: refused, or followed unsigned', async () => {
    const strict = collector();
    await expect(request(`${a.origin}/cross`, { dispatcher: agent(strict.onEvent, {}, interceptors.redirect({ maxRedirections: 2 })) })).rejects.toMatchObject({
      code: 'origin_not_allowed',
    });
    expect(strict.events.map((e) => [e.type, e.code, e.origin, e.path])).toEqual([
      ['signed', undefined, a.origin, '/cross'],
      ['refused', 'origin_not_allowed', b.origin, '/landing'],
    ]);
    const lax = collector();
    const dispatcher = agent(lax.onEvent, { redirect: { crossOrigin: 'follow-unsigned' } }, interceptors.redirect({ maxRedirections: 2 }));
    await (await request(`${a.origin}/cross`, { dispatcher })).body.text();
    expect(lax.events.map((e) => [e.type, e.origin, e.signed])).toEqual([
      ['signed', a.origin, undefined],
      ['redirect', b.origin, false],
    ]);
    assertSecretFree([...strict.events, ...lax.events]);
  });
});
