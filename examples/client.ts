// The client: a fetch that signs every request (each attempt with a fresh
// timestamp and nonce), refuses plain http:// to remote hosts, and never
// forwards a signature to another origin.
//   export $(node packages/cli/dist/bin.js keygen)     (the same pair as the server)
//   node --import tsx examples/client.ts http://127.0.0.1:3000
import { createSigningFetch } from '@sigil/fetch';
import { exampleKey, isMain, type ExampleOptions } from './shared.js';

/** What the example servers answer to POST /orders. */
export interface OrderReceipt {
  readonly keyId: string;
  readonly order: unknown;
}

/** Sends a signed POST /orders to `baseUrl`; throws on a non-2xx answer with the server's code. */
export async function placeOrder(baseUrl: string, order: unknown, options: ExampleOptions = {}): Promise<OrderReceipt> {
  const { keyId, key } = exampleKey(options);
  // The key goes to this one origin only: any other URL is refused before sending (SSRF).
  const signedFetch = createSigningFetch({ keyId, secret: key, origins: [new URL(baseUrl).origin] });
  const response = await signedFetch(new URL('/orders', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  if (!response.ok) {
    const { error } = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(`the server refused the order: ${response.status} ${error ?? ''}`.trimEnd());
  }
  return (await response.json()) as OrderReceipt;
}

if (isMain(import.meta.url)) {
  const baseUrl = process.argv[2] ?? 'http://127.0.0.1:3000';
  placeOrder(baseUrl, { item: 'book', qty: 1 }).then(
    (receipt) => console.log(JSON.stringify(receipt)),
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
