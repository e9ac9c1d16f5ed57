// Attack: moving a signed request under another Express mount path. Express
// strips the mount path from req.url inside app.use('/api', ...) and
// routers; a verifier that read req.url would verify (and scope) only the
// mount-relative rest, so a request signed for `/orders` would be accepted
// at `/api/orders`, `/admin/orders` and any other mount of the same
// middleware. The verifier must read the request target as sent.
import { createServer, type Server } from 'node:http';
import express from 'express';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../../src/index.js';
import { sigilExpress } from '../../src/adapters/express/index.js';
import type { Req, Res } from '../helpers/express-types.js';
import { close, listen } from '../helpers/servers.js';
import { KEY, KEY_ID, signedHeaders } from '../helpers/sign.js';

let server: Server;
let host: string;

beforeAll(async () => {
  const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore() });
  const scoped = createVerifier({
    keys: { [KEY_ID]: { key: KEY, scope: { pathPrefixes: ['/orders'] } } },
    nonceStore: new MemoryNonceStore(),
  });
  const echo = (req: Req, res: Res): void => void res.json({ keyId: req.sigil?.keyId, url: req.url });
  const app = express();
  // A mounted middleware, a mounted router, and a router nested in a router.
  app.use('/api', sigilExpress(verifier), echo);
  const admin = express.Router();
  admin.use(sigilExpress(verifier));
  admin.all('/orders', echo);
  app.use('/admin', admin);
  const outer = express.Router();
  const inner = express.Router();
  inner.use(sigilExpress(verifier));
  inner.all('/orders', echo);
  outer.use('/v2', inner);
  app.use('/nested', outer);
  // A key scoped to /orders, behind a mount path.
  app.use('/internal', sigilExpress(scoped), echo);
  // A mounted sub-app.
  const sub = express();
  sub.use(sigilExpress(verifier));
  sub.all('/orders', echo);
  app.use('/sub', sub);
  server = createServer(app);
  host = await listen(server);
});
afterAll(() => close(server));

/** Signs `signedTarget`, sends to `sentTarget`. */
async function send(signedTarget: string, sentTarget = signedTarget) {
  const headers = signedHeaders({ method: 'GET', target: signedTarget, host });
  const res = await request(`http://${host}${sentTarget}`, { headers });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('attacker moves a signed request under another Express mount path', () => {
  it('a request signed for /orders is refused at /api/orders, /admin/orders, /nested/v2/orders and /sub/orders', async () => {
    for (const target of ['/api/orders', '/admin/orders', '/nested/v2/orders', '/sub/orders']) {
      expect(await send('/orders', target), target).toEqual({ status: 401, body: { error: 'signature_invalid' } });
    }
  });

  it('a request signed for its full target is accepted under a mounted middleware, router, nested router and sub-app', async () => {
    expect(await send('/api/orders')).toEqual({ status: 200, body: { keyId: KEY_ID, url: '/orders' } });
    expect(await send('/admin/orders?x=1')).toEqual({ status: 200, body: { keyId: KEY_ID, url: '/orders?x=1' } });
    expect(await send('/nested/v2/orders')).toEqual({ status: 200, body: { keyId: KEY_ID, url: '/orders' } });
    expect(await send('/sub/orders')).toEqual({ status: 200, body: { keyId: KEY_ID, url: '/orders' } });
  });

  it('a key scoped to /orders is denied at /internal/orders: the scope reads the full target', async () => {
    expect(await send('/internal/orders')).toEqual({ status: 403, body: { error: 'key_scope_denied' } });
  });
});
