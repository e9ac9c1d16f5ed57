// A Next.js App Router route handler (app/api/orders/route.ts) is a plain
// Request -> Response function; so are Bun, Deno and Workers handlers.
// Run directly, this file signs one request in-process and calls POST:
//   export $(node packages/cli/dist/bin.js keygen)
//   node --import tsx examples/next-route.ts
import { createSigningFetch } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore, type Verifier } from '@sigil/verify';
import { sigilFetchHandler } from '@sigil/verify/fetch';
import { exampleKey, isMain } from './shared.js';

let handler: ((request: Request) => Promise<Response>) | undefined;

/** Built on first use: route modules are imported at build time, before secrets exist. */
function route(): (request: Request) => Promise<Response> {
  if (!handler) {
    const { keyId, key } = exampleKey();
    const verifier: Verifier = createVerifier({ keys: { [keyId]: key }, nonceStore: new MemoryNonceStore() });
    // Next.js passes request.url with the public https: URL, which the transport check reads.
    handler = sigilFetchHandler(verifier, async (request, { keyId: signer }) => {
      return Response.json({ keyId: signer, order: await request.json() }, { status: 201 });
    });
  }
  return handler;
}

/** POST /api/orders: verified, then answered 201 with the order. */
export function POST(request: Request): Promise<Response> {
  return route()(request);
}

if (isMain(import.meta.url)) {
  const { keyId, key } = exampleKey();
  // A "fetch" that hands the signed request straight to the route handler.
  const signed = createSigningFetch({ keyId, secret: key, origins: ['https://shop.example'], fetch: (url: string, init: RequestInit) => POST(new Request(url, init)) });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' };
  const first = await signed('https://shop.example/api/orders', init);
  console.log(first.status, await first.text());
}
