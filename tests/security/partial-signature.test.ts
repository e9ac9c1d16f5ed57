// Attack: a signature that covers only part of the request. An on-path
// attacker changes one part of a request the real client signed and
// forwards it to the real verifier; every part is bound, so each change is
// refused. Headers the signature does not cover are never vouched for.
import { beforeAll, describe, expect, it } from 'vitest';
import { attackedStack, headerOf, signingClient, startStack, withHeader, type Captured, type Stack } from './helpers/stack.js';

const ctx = attackedStack();
let strict: Stack;

beforeAll(async () => {
  strict = await startStack({ verifier: { requiredHeaders: ['content-type', 'x-tenant'] } });
});

const json = { 'content-type': 'application/json', 'x-tenant': 'acme' };

/** The real client, through the attacker, signing x-tenant too. */
async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const client = signingClient(ctx.attacker.origin, { signedHeaders: ['x-tenant'] });
  return client(`${ctx.attacker.origin}${path}`, { method: 'POST', headers: json, body: '{"qty":1}', ...init });
}

async function expectRefused(tamper: (request: Captured) => Captured, code = 'signature_invalid', path = '/v1/orders/1?amount=10&currency=EUR'): Promise<void> {
  ctx.attacker.tamper = tamper;
  const res = await send(path);
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({ error: code });
  expect(ctx.stack.accepted).toHaveLength(0);
  expect(ctx.stack.events.map((e) => [e.type, e.code])).toEqual([['rejected', code]]);
}

describe('attack: partial signature coverage', () => {
  it('control: the untouched request passes through the attacker and is accepted', async () => {
    const res = await send('/v1/orders/1?amount=10&currency=EUR');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ method: 'POST', target: '/v1/orders/1?amount=10&currency=EUR', body: '{"qty":1}', signedHeaders: ['content-type', 'host', 'x-tenant'] });
  });

  it('method swap (POST replayed as PUT or DELETE) is refused', async () => {
    await expectRefused((r) => ({ ...r, method: 'PUT' }));
    ctx.stack.events.length = 0;
    await expectRefused((r) => ({ ...r, method: 'DELETE', body: Buffer.alloc(0) }));
  });

  it('path swap (/v1/orders/1 to /v1/orders/2, or a dot segment) is refused', async () => {
    await expectRefused((r) => ({ ...r, target: r.target.replace('/orders/1', '/orders/2') }));
    ctx.stack.events.length = 0;
    await expectRefused((r) => ({ ...r, target: r.target.replace('/v1/orders/1', '/v1/x/../orders/1') }));
  });

  it('query tamper (a changed value, an added parameter, a reordering) is refused', async () => {
    await expectRefused((r) => ({ ...r, target: r.target.replace('amount=10', 'amount=1000') }));
    ctx.stack.events.length = 0;
    await expectRefused((r) => ({ ...r, target: `${r.target}&refund=1` }));
    ctx.stack.events.length = 0;
    await expectRefused((r) => ({ ...r, target: '/v1/orders/1?currency=EUR&amount=10' }));
  });

  it('header tamper (a signed header changed, dropped, or Host swapped) is refused', async () => {
    await expectRefused((r) => withHeader(r, 'x-tenant', 'evil'));
    ctx.stack.events.length = 0;
    await expectRefused((r) => ({ ...r, headers: r.headers.filter(([n]) => n.toLowerCase() !== 'x-tenant') }), 'signed_header_missing');
    ctx.stack.events.length = 0;
    await expectRefused((r) => withHeader(r, 'host', 'api.victim.example'));
    ctx.stack.events.length = 0;
    await expectRefused((r) => withHeader(r, 'content-type', 'text/plain'));
  });

  it('body tamper (one byte, same length) is refused', async () => {
    await expectRefused((r) => ({ ...r, body: Buffer.from('{"qty":9}') }));
  });

  it('an unsigned extra header is let through but never reported as signed', async () => {
    ctx.attacker.tamper = (r) => withHeader(r, 'x-unsigned', 'injected');
    const res = await send('/v1/orders/1');
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { unsigned: string; signedHeaders: string[] };
    expect(seen.unsigned).toBe('injected');
    expect(seen.signedHeaders).not.toContain('x-unsigned');
  });

  it('a header the verifier requires but the client left unsigned is refused (header_not_signed)', async () => {
    const lax = signingClient(strict.origin);
    const res = await lax(`${strict.origin}/v1/orders`, { method: 'POST', headers: json, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'header_not_signed' });
    expect(strict.accepted).toHaveLength(0);
    const careful = signingClient(strict.origin, { signedHeaders: ['x-tenant'] });
    expect((await careful(`${strict.origin}/v1/orders`, { method: 'POST', headers: json, body: '{}' })).status).toBe(200);
  });

  it('the attacker saw the signature only in a header, never in the target', () => {
    for (const request of ctx.attacker.captured) {
      expect(request.target).not.toMatch(/sigil|mac=|kid=/i);
      expect(headerOf(request, 'sigil-signature')).toMatch(/^v=1;alg=hmac-sha256;kid=sec-client;/);
    }
  });
});
