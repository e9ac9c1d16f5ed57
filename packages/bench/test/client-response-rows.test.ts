// The client response rows' correctness checks, run in the normal suite
// (nothing is timed): each gets the whole response body over loopback, and
// each verifying row refuses a response whose body differs from the one the
// server signed, so no row times a client that accepts anything.
import { describe, expect, it } from 'vitest';
import { SIGIL_CLIENT_RESPONSE_ROWS } from '../src/rows/sigil-client-response.js';
import { scenario } from '../src/scenarios.js';

describe('client response rows pass their correctness check (typical)', () => {
  const s = scenario('typical');
  it.each(SIGIL_CLIENT_RESPONSE_ROWS.map((make, i) => [i, make] as const))('row %i: whole body, tampered response refused when verifying', async (_i, make) => {
    const row = await make(s);
    await expect(row.check()).resolves.toBeUndefined();
    expect(await row.op()).toBe(s.body.length);
  });
});
