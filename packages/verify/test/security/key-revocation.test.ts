// Attack: a key revoked through the resolver keeps working. An operator
// revokes a leaked secret by changing what the key resolver returns (taking
// the secret out of the array, setting notAfter to now, narrowing its
// scope); a verifier that cached the resolver's answer by object identity
// would keep accepting the leaked secret. Revocation must take effect on
// the very next request; only the prepared key material may be cached.
import { createServer, type Server } from 'node:http';
import { importKey, type SigilKey } from '@sigil/core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type KeyEntry, type KeyInput } from '../../src/index.js';
import { sigilListener } from '../../src/adapters/node/index.js';
import { close, listen } from '../helpers/servers.js';
import { KEY, OTHER_KEY, signedHeaders } from '../helpers/sign.js';

const LEAKED = KEY;
const NEXT = OTHER_KEY;
/** What the resolver answers, mutated in place by the tests. */
const answers = new Map<string, KeyInput | KeyInput[]>();
let server: Server;
let host: string;

beforeAll(async () => {
  const verifier = createVerifier({ keys: async (id) => answers.get(id), nonceStore: new MemoryNonceStore() });
  server = createServer(sigilListener(verifier, (_req, res, { keyId, keyIndex }) => void res.end(JSON.stringify({ keyId, keyIndex }))));
  host = await listen(server);
});
afterAll(() => close(server));

async function send(keyId: string, key: SigilKey, target = '/orders', method = 'GET') {
  const headers = signedHeaders({ method, target, host, key, options: { keyId } });
  const res = await request(`http://${host}${target}`, { method: method as 'GET', headers });
  return { status: res.statusCode, body: await res.body.text() };
}
const denied = { status: 401, body: '{"error":"signature_invalid"}' };

describe('attacker keeps using a key revoked through the resolver', () => {
  it('a secret taken out of the array the resolver returns is refused on the next request', async () => {
    const list: KeyInput[] = [LEAKED, NEXT];
    answers.set('splice', list);
    expect((await send('splice', LEAKED)).status).toBe(200);
    list.splice(0, 1); // revoke the leaked secret in place
    expect(await send('splice', LEAKED)).toEqual(denied);
    expect(await send('splice', NEXT)).toEqual({ status: 200, body: '{"keyId":"splice","keyIndex":0}' });
  });

  it('an entry whose notAfter is set to now is refused on the next request', async () => {
    const entry: { -readonly [K in keyof KeyEntry]: KeyEntry[K] } = { key: LEAKED };
    answers.set('expire', [entry]);
    expect((await send('expire', LEAKED)).status).toBe(200);
    entry.notAfter = new Date(Date.now() - 1);
    expect(await send('expire', LEAKED)).toEqual(denied);
  });

  it("an entry whose secret is replaced, or whose scope is narrowed, is read again on the next request", async () => {
    const entry: { -readonly [K in keyof KeyEntry]: KeyEntry[K] } = { key: LEAKED };
    answers.set('swap', entry);
    expect((await send('swap', LEAKED, '/admin', 'DELETE')).status).toBe(200);
    entry.scope = { methods: ['GET'], pathPrefixes: ['/orders'] };
    expect(await send('swap', LEAKED, '/admin', 'DELETE')).toEqual({ status: 403, body: '{"error":"key_scope_denied"}' });
    expect((await send('swap', LEAKED)).status).toBe(200);
    entry.key = NEXT;
    expect(await send('swap', LEAKED)).toEqual(denied);
    expect((await send('swap', NEXT)).status).toBe(200);
  });

  it('bytes overwritten in place (a secret zeroed out) no longer verify', async () => {
    const bytes = new Uint8Array(32).fill(7); // the bytes of LEAKED
    answers.set('bytes', { key: bytes });
    expect((await send('bytes', importKey(new Uint8Array(32).fill(7)))).status).toBe(200);
    bytes.fill(9); // now NEXT's bytes
    expect(await send('bytes', LEAKED)).toEqual(denied);
    expect((await send('bytes', NEXT)).status).toBe(200);
  });
});
