// Accept-Signature end to end, both halves real: @sigil/verify's node adapter
// with `rfc9421.acceptSignature` names what it requires on its 401, and the
// signing fetch with `acceptSignature` signs once more as asked. With response
// signing on both sides, the field is signed (SPEC.md sections 9.13, 11.5):
// an on-path party that rewrites it in flight is refused before the client
// acts on it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigningFetch, type SigningEvent } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, KEY_ID, KEYS } from './helpers/keys.js';
import { closeAll, startAttacker, type Attacker } from './helpers/stack.js';

let server: Server;
let origin = '';
let attacker: Attacker;

beforeAll(async () => {
  const verifier = createVerifier({
    schemes: ['rfc9421'],
    keys: KEYS,
    nonceStore: new MemoryNonceStore(),
    rfc9421: { requiredComponents: ['@method', '@authority', '@path', '@query', 'x-tenant'], acceptSignature: true },
  });
  server = createServer(
    sigilListener(verifier, (_req, res, { components }) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ components })), {
      signResponses: true,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  attacker = await startAttacker(origin);
});

afterAll(async () => {
  await closeAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(target: string, events: SigningEvent[], verifyResponses: boolean) {
  return createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: [target], scheme: 'rfc9421', acceptSignature: true, verifyResponses, onEvent: (e) => events.push(e) });
}

describe("Accept-Signature from @sigil/verify's own 401, answered by the signing fetch", () => {
  it('the first request lacks x-tenant; the 401 names it; the one retry covers it and is accepted', async () => {
    const events: SigningEvent[] = [];
    const response = await client(origin, events, false)(`${origin}/orders?id=1`, { headers: { 'x-tenant': 't-1' } });
    expect(response.status).toBe(200);
    expect((await response.json()).components).toContain('"x-tenant"');
    expect(events.filter((e) => e.type === 'signed')).toHaveLength(2);
    expect(events.map((e) => e.type)).toContain('accept-signature');
  });

  it('with response signing on both sides, the signed 401 is verified before its Accept-Signature is answered', async () => {
    const events: SigningEvent[] = [];
    const response = await client(origin, events, true)(`${origin}/orders?id=2`, { headers: { 'x-tenant': 't-1' } });
    expect(response.status).toBe(200);
    expect(events.filter((e) => e.type === 'response-verified')).toHaveLength(2);
  });

  it('attack: the signed Accept-Signature rewritten in flight is refused, nothing is resent', async () => {
    const events: SigningEvent[] = [];
    attacker.tamperResponse = (answer) => ({
      ...answer,
      headers: { ...answer.headers, 'accept-signature': 'sig1=("@method" "@authority" "@path" "@query" "x-tenant" "x-role")' },
    });
    try {
      await expect(client(attacker.origin, events, true)(`${attacker.origin}/orders?id=3`, { headers: { 'x-tenant': 't-1' } })).rejects.toMatchObject({
        code: 'signature_invalid',
      });
    } finally {
      attacker.tamperResponse = (answer) => answer;
    }
    expect(events.filter((e) => e.type === 'signed')).toHaveLength(1);
  });
});
