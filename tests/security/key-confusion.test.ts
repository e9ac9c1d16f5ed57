// Attacks on the key: swapping the key id in a recorded signature, signing
// with another key under a valid key id, and probing which key ids exist.
// All are refused, and from outside an unknown id reads like a bad MAC.
import { describe, expect, it } from 'vitest';
import { KEY_ID, OTHER_ID, OTHER_KEY } from './helpers/keys.js';
import { attackedStack, headerOf, signingClient, withHeader } from './helpers/stack.js';

const ctx = attackedStack();

describe('attack: key-id swap', () => {
  it('changing kid to another valid key id is refused (the kid is inside the MAC)', async () => {
    ctx.attacker.tamper = (r) => withHeader(r, 'sigil-signature', headerOf(r, 'sigil-signature')!.replace(`kid=${KEY_ID}`, `kid=${OTHER_ID}`));
    const res = await signingClient(ctx.attacker.origin)(`${ctx.attacker.origin}/v1/admin`, { method: 'DELETE' });
    expect([res.status, await res.json()]).toEqual([401, { error: 'signature_invalid' }]);
    expect(ctx.stack.events.map((e) => [e.code, e.keyId])).toEqual([['signature_invalid', OTHER_ID]]);
    expect(ctx.stack.accepted).toHaveLength(0);
  });
});

describe('attack: signature from another key', () => {
  it("a valid key's secret used under another key id is refused", async () => {
    const impostor = signingClient(ctx.stack.origin, { keyId: KEY_ID, secret: OTHER_KEY });
    const res = await impostor(`${ctx.stack.origin}/v1/admin`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([res.status, await res.json()]).toEqual([401, { error: 'signature_invalid' }]);
    expect(ctx.stack.accepted).toHaveLength(0);
  });

  it('an unknown key id is answered byte for byte like a bad MAC; only the audit event tells them apart', async () => {
    const unknown = await signingClient(ctx.stack.origin, { keyId: 'nobody', secret: OTHER_KEY })(`${ctx.stack.origin}/x`);
    const impostor = await signingClient(ctx.stack.origin, { keyId: KEY_ID, secret: OTHER_KEY })(`${ctx.stack.origin}/x`);
    const face = async (res: Response) => ({ status: res.status, body: await res.text(), headers: [...res.headers].filter(([n]) => n !== 'date') });
    expect(await face(unknown)).toEqual(await face(impostor));
    expect(ctx.stack.events.map((e) => e.code)).toEqual(['key_unknown', 'signature_invalid']);
  });
});
