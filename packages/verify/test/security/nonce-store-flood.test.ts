// Attack: one key holder fills the nonce store to lock every other key out.
// Each valid request leaves a nonce in the store until its window passes; a
// store shared by every key id, once full, answers 503 nonce_store_full to
// all of them. Each key id gets its own bounded share, so a flood from key
// A exhausts only A's share and key B keeps working.
import { createServer, type Server } from 'node:http';
import { importKey } from '@sigil/core';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../../src/index.js';
import { sigilListener } from '../../src/adapters/node/index.js';
import { close, listen } from '../helpers/servers.js';
import { KEY, OTHER_KEY, signedHeaders } from '../helpers/sign.js';

const THIRD_KEY = importKey(new Uint8Array(32).fill(3));
const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => close(s))));

async function start(store: MemoryNonceStore): Promise<string> {
  const verifier = createVerifier({ keys: { a: KEY, b: OTHER_KEY, c: THIRD_KEY }, nonceStore: store });
  const server = createServer(sigilListener(verifier, (_req, res, { keyId }) => void res.end(keyId)));
  servers.push(server);
  return listen(server);
}

async function send(host: string, keyId: 'a' | 'b' | 'c') {
  const key = { a: KEY, b: OTHER_KEY, c: THIRD_KEY }[keyId];
  const headers = signedHeaders({ method: 'GET', target: '/orders', host, key, options: { keyId } });
  const res = await request(`http://${host}/orders`, { headers });
  return { status: res.statusCode, body: await res.body.text() };
}

/** Key A sends valid requests until the store refuses it; returns how many were accepted. */
async function flood(host: string, limit: number): Promise<number> {
  for (let accepted = 0; accepted <= limit; accepted++) {
    const res = await send(host, 'a');
    if (res.status !== 200) {
      expect(res).toEqual({ status: 503, body: '{"error":"nonce_store_full"}' });
      return accepted;
    }
  }
  throw new Error('the store never refused key A');
}

describe("attacker fills the nonce store with one key's valid requests to lock other keys out", () => {
  it('with the default share (a quarter of maxEntries), key A is capped and key B keeps working', async () => {
    const host = await start(new MemoryNonceStore({ maxEntries: 20 }));
    expect(await flood(host, 20)).toBe(5);
    expect(await send(host, 'b')).toEqual({ status: 200, body: 'b' });
    expect(await send(host, 'c')).toEqual({ status: 200, body: 'c' });
  });

  it('with maxEntriesPerKey, each key id holds at most its share, and the total still bounds them all', async () => {
    const store = new MemoryNonceStore({ maxEntries: 7, maxEntriesPerKey: 3 });
    const host = await start(store);
    expect(await flood(host, 7)).toBe(3);
    for (let i = 0; i < 3; i++) expect(await send(host, 'b')).toEqual({ status: 200, body: 'b' });
    expect(await send(host, 'b')).toEqual({ status: 503, body: '{"error":"nonce_store_full"}' });
    expect(await send(host, 'c')).toEqual({ status: 200, body: 'c' });
    // 7 held: the total bound applies to every key.
    expect(await send(host, 'c')).toEqual({ status: 503, body: '{"error":"nonce_store_full"}' });
    expect(store.size).toBe(7);
  });
});
