// Express 5: mount sigilExpress() before any body parser; it reads the raw
// body, verifies it, then sets req.body (JSON, form, text) and req.sigil.
//   export $(node packages/cli/dist/bin.js keygen)
//   node --import tsx examples/express.ts
import { createServer } from 'node:http';
import express from 'express';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilExpress, type SigilExpressRequest } from '@sigil/verify/express';
import { exampleKey, listen, runDirectly, type ExampleOptions, type Running } from './shared.js';

/** Starts the example on 127.0.0.1; POST /orders answers 201 with the verified order. */
export function start(options: ExampleOptions = {}): Promise<Running> {
  const { keyId, key } = exampleKey(options);
  const verifier = createVerifier({ keys: { [keyId]: key }, nonceStore: new MemoryNonceStore() });

  const app = express();
  app.use(sigilExpress(verifier));
  app.post('/orders', (req: SigilExpressRequest, res: { status(code: number): { json(body: unknown): void } }) => {
    res.status(201).json({ keyId: req.sigil?.keyId, order: req.body });
  });
  return listen(createServer(app), options.port);
}

runDirectly(import.meta.url, start);
