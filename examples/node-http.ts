// Node's http module: every request is verified before the listener runs.
//   export $(node packages/cli/dist/bin.js keygen)
//   node --import tsx examples/node-http.ts
import { createServer } from 'node:http';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { exampleKey, listen, runDirectly, type ExampleOptions, type Running } from './shared.js';

/** Starts the example on 127.0.0.1; POST /orders answers 201 with the verified order. */
export function start(options: ExampleOptions = {}): Promise<Running> {
  const { keyId, key } = exampleKey(options);
  const verifier = createVerifier({ keys: { [keyId]: key }, nonceStore: new MemoryNonceStore() });

  const server = createServer(
    sigilListener(verifier, (req, res, verified) => {
      if (req.method !== 'POST' || req.url !== '/orders') return void res.writeHead(404).end();
      // verified.body holds the exact bytes the MAC covered.
      const order: unknown = JSON.parse(new TextDecoder().decode(verified.body));
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keyId: verified.keyId, order }));
    }),
  );
  return listen(server, options.port);
}

runDirectly(import.meta.url, start);
