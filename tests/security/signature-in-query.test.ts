// Attack surface: keys and signatures in query strings end up in proxy and
// access logs. The verifier refuses any request whose query carries
// signature material, even when a valid header is present; the client
// only ever sends the signature in its header.
import { hasSignatureInQuery } from '@sigil/core';
import { describe, expect, it } from 'vitest';
import { attackedStack, headerOf, signingClient } from './helpers/stack.js';

const ctx = attackedStack();

describe('attack: signature in the query string', () => {
  const sig = 'v%3D1%3Balg%3Dhmac-sha256%3Bkid%3Dsec-client%3Bmac%3DAAAA';
  it.each([
    ['a sigil-signature parameter', `?sigil-signature=${sig}`],
    ['the name in another case', `?Sigil-Signature=${sig}`],
    ['the name percent-encoded', `?sigil%2Dsignature=${sig}`],
    ['kid and mac parameters', '?page=2&kid=sec-client&mac=AAAA'],
    ['a value holding kid= and mac=', `?next=${sig}`],
  ])('%s is refused (signature_in_query) even with a valid header', async (_name, query) => {
    const res = await signingClient(ctx.stack.origin)(`${ctx.stack.origin}/v1/orders${query}`);
    expect([res.status, await res.json()]).toEqual([401, { error: 'signature_in_query' }]);
    expect(ctx.stack.accepted).toHaveLength(0);
    expect(ctx.stack.events).toEqual([expect.objectContaining({ type: 'rejected', code: 'signature_in_query', path: '/v1/orders' })]);
  });

  it('control: ordinary queries, and a lone kid or mac parameter, are accepted', async () => {
    for (const query of ['?page=2', '?kid=7', '?mac=apple&os=linux', '?q=kid%3D']) {
      const res = await signingClient(ctx.stack.origin)(`${ctx.stack.origin}/v1/orders${query}`);
      expect(res.status, query).toBe(200);
    }
  });

  it('the client never puts signature material in the query: the target is sent as given, the signature in its header', async () => {
    const client = signingClient(ctx.attacker.origin, { signedHeaders: ['x-trace'] });
    const targets = ['/v1/orders', '/v1/orders?page=2', '/v1/search?q=a%20b&q=c', '/v1/x?'];
    for (const target of targets) {
      await client(`${ctx.attacker.origin}${target}`, { headers: { 'x-trace': '1' } });
      await client(`${ctx.attacker.origin}${target}`, { method: 'POST', body: 'x' });
    }
    expect(ctx.attacker.captured.map((r) => r.target)).toEqual(targets.flatMap((t) => [t.replace(/\?$/, ''), t.replace(/\?$/, '')]));
    for (const request of ctx.attacker.captured) {
      expect(hasSignatureInQuery(request.target)).toBe(false);
      expect(request.target).not.toMatch(/sigil|kid|mac|nonce|alg=/i);
      expect(headerOf(request, 'sigil-signature')).toMatch(/^v=1;alg=hmac-sha256;kid=sec-client;ts=\d+;nonce=[\w-]{22};h=[^;]+;mac=[\w-]+$/);
    }
  });
});
