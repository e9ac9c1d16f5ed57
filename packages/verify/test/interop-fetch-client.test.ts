// End to end: @sigil/fetch's createSigningFetch signs, the adapters verify,
// over real sockets. Also the clock-skew round trip: the server's
// Sigil-Server-Time lets the client correct its offset and retry once.
import { createServer, type Server } from 'node:http';
import { createSigningFetch } from '@sigil/fetch';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type Verifier } from '../src/index.js';
import { sigilExpress } from '../src/adapters/express/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import type { Req, Res } from './helpers/express-types.js';
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID } from './helpers/sign.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map(close)));

async function serve(server: Server): Promise<string> {
  servers.push(server);
  return `http://${await listen(server)}`;
}

describe('@sigil/fetch client against @sigil/verify servers', () => {
  let expressOrigin: string;
  let skewedOrigin: string;
  let seen: number;

  beforeAll(async () => {
    const verifier: Verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), requiredHeaders: ['content-type'] });
    const app = express();
    app.use(sigilExpress(verifier));
    app.post('/orders', (req: Req, res: Res) => void res.json({ keyId: req.sigil?.keyId, order: req.body }));
    expressOrigin = await serve(createServer(app));

    // A server whose clock runs 20 minutes ahead of the client's.
    const skew = () => Date.now() + 20 * 60_000;
    const skewed = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore({ clock: skew }), clock: skew });
    seen = 0;
    skewedOrigin = await serve(
      createServer((req, res) => {
        seen++;
        return sigilListener(skewed, (_req, out) => void out.end('in sync'))(req, res);
      }),
    );
  });

  it('signs a JSON POST that the Express middleware verifies and parses', async () => {
    const signingFetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: '*' });
    const res = await signingFetch(`${expressOrigin}/orders?dry_run=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ qty: 3 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keyId: KEY_ID, order: { qty: 3 } });
  });

  it('recovers from clock skew through Sigil-Server-Time with one fresh retry', async () => {
    // 20 minutes is past the client's default bound (maxClockSkewSeconds 300).
    const signingFetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, origins: '*', maxClockSkewSeconds: 1800 });
    const res = await signingFetch(`${skewedOrigin}/x`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('in sync');
    expect(seen).toBe(2);
  });
});
