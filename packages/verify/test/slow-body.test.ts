// verify() when the clock moves while the body is read: the nonce store is
// never asked to keep a nonce whose window has already closed.
import { describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type NonceStore } from '../src/index.js';
import { signed } from './helpers/requests.js';
import { KEY, KEY_ID } from './helpers/sign.js';

describe('verify: a body that outlives the window', () => {
  it('answers timestamp_out_of_window instead of storing a nonce that has already expired', async () => {
    let now = 1_700_000_000_000;
    const clock = () => now;
    const store = new MemoryNonceStore({ clock });
    const spy = { calls: 0, checkAndStore: (...a: Parameters<NonceStore['checkAndStore']>) => (spy.calls++, store.checkAndStore(...a)) };
    const v = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: spy, clock, toleranceSeconds: 10 });
    const request = signed({ options: { timestamp: now / 1000 } });
    const slowBody = async () => {
      now += 11_000; // the upload took 11 s
      return request.body as Uint8Array;
    };
    expect(await v.verify({ ...request, body: slowBody })).toMatchObject({ code: 'timestamp_out_of_window', serverTime: now / 1000 });
    expect(spy.calls).toBe(0);
  });
});
