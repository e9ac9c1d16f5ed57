// Fastify 5: the plugin verifies every request in onRequest, before any body
// parsing; Fastify's parsers then read the verified bytes.
//   export $(node packages/cli/dist/bin.js keygen)
//   node --import tsx examples/fastify.ts
import Fastify from 'fastify';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilFastify } from '@sigil/verify/fastify';
import { exampleKey, runDirectly, type ExampleOptions, type Running } from './shared.js';

/** Starts the example on 127.0.0.1; POST /orders answers 201 with the verified order. */
export async function start(options: ExampleOptions = {}): Promise<Running> {
  const { keyId, key } = exampleKey(options);
  const verifier = createVerifier({ keys: { [keyId]: key }, nonceStore: new MemoryNonceStore() });

  const app = Fastify();
  await app.register(sigilFastify, { verifier });
  app.post('/orders', async (request, reply) => {
    return reply.code(201).send({ keyId: request.sigil?.keyId, order: request.body });
  });

  const url = await app.listen({ port: options.port ?? Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

runDirectly(import.meta.url, start);
