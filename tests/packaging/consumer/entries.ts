// Type-checked as an ES module (.mts) under node16, nodenext and bundler,
// and as CommonJS (.cts) under node16, nodenext and node10 (which ignores
// "exports" and reads "typesVersions" for the subpaths): every entry point
// resolves to declarations, and the packages' types fit together.
import { importKey, type SigilKey } from '@sigil/core';
import { parseVectorFile } from '@sigil/core/vectors';
import { signatureBase } from '@sigil/core/rfc9421';
import { createSigningFetch } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore, type NonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { sigilFetchHandler } from '@sigil/verify/fetch';
import { RedisNonceStore } from '@sigil/redis';

const key: SigilKey = importKey('a-secret-of-at-least-sixteen-bytes', { encoding: 'utf8' });
const signedFetch: typeof fetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: ['https://api.example.com'] });
// @sigil/redis carries no dependency on @sigil/verify, yet its store is a NonceStore.
const nonceStore: NonceStore = new RedisNonceStore({ client: { call: async () => 'OK' } });
const verifier = createVerifier({ keys: { 'client-1': key }, nonceStore: nonceStore ?? new MemoryNonceStore() });
export const listener = sigilListener(verifier, (_req, res) => res.end());
export const handler = sigilFetchHandler(verifier, () => new Response('ok'));
export { parseVectorFile, signatureBase, signedFetch };
