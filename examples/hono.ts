// Hono on Node (@hono/node-server): the middleware verifies every request and
// puts the verified bytes back, so c.req.json() reads them as usual.
//   export $(node packages/cli/dist/bin.js keygen)
//   node --import tsx examples/hono.ts
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilHono, type SigilHonoEnv } from '@sigil/verify/hono';
import { exampleKey, listen, runDirectly, type ExampleOptions, type Running } from './shared.js';

/** Starts the example on 127.0.0.1; POST /orders answers 201 with the verified order. */
export function start(options: ExampleOptions = {}): Promise<Running> {
  const { keyId, key } = exampleKey(options);
  const verifier = createVerifier({ keys: { [keyId]: key }, nonceStore: new MemoryNonceStore() });

  const app = new Hono<SigilHonoEnv>();
  app.use('*', sigilHono(verifier));
  app.post('/orders', async (c) => c.json({ keyId: c.get('sigil').keyId, order: await c.req.json() }, 201));

  // A plain node:http server (not HTTP/2) running the Hono app.
  return listen(createAdaptorServer({ fetch: app.fetch }) as Server, options.port);
}

runDirectly(import.meta.url, start);
