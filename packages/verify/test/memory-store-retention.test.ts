import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A fresh 64 KB header per request, as a server's parser hands it over. */
function header(i: number): string {
  return `keyId="client-${i % 4}", nonce="nonce-${i.toString().padStart(16, '0')}", pad="${'x'.repeat(65_536)}"`;
}

describe('MemoryNonceStore retention', () => {
  it('does not keep the whole header alive through the nonce and key id slices it stores', async () => {
    const store = new MemoryNonceStore({ maxEntries: 1_000, maxEntriesPerKey: 1_000 });
    const expires = Date.now() + 60_000;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) {
      const h = header(i);
      // V8 makes SlicedStrings of substrings of 13+ characters: they point into h.
      const keyId = h.slice(h.indexOf('keyId="') + 7, h.indexOf('"', h.indexOf('keyId="') + 7));
      const nonce = h.slice(h.indexOf('nonce="') + 7, h.indexOf('"', h.indexOf('nonce="') + 7));
      expect(await store.checkAndStore(keyId, nonce, expires)).toBe(true);
    }
    gc();
    const perEntry = (process.memoryUsage().heapUsed - before) / 200;
    expect(store.size).toBe(200);
    // Retaining the header costs ~66 KB per entry; a copied nonce well under 2 KB.
    expect(perEntry, `${Math.round(perEntry)} bytes per entry`).toBeLessThan(2_048);
  });
});
