// The correctness checks every bench row runs before it is timed, run here
// in the normal test suite (nothing is timed): each peer's signature
// verifies with the peer's own verification and tampered requests are
// refused. The last tests prove the check itself can fail.
import { describe, expect, it } from 'vitest';
import { floorRow } from '../src/rows/floor.js';
import { PEER_ROWS, PEER_VERIFY_ROWS } from '../src/rows/index.js';
import { checkPeer } from '../src/rows/peers/check.js';
import { sigilSignRow } from '../src/rows/sigil-sign.js';
import { sigilVerifyRow } from '../src/rows/sigil-verify.js';
import { scenario, type ScenarioId } from '../src/scenarios.js';

const SCENARIOS: ScenarioId[] = ['typical', 'tiny-get'];

describe.each(SCENARIOS)('bench rows pass their correctness check (%s)', (id) => {
  const s = scenario(id);

  it.each(Object.entries(PEER_ROWS))('%s: signs, verifies, refuses tampered requests', async (_name, make) => {
    const row = await make(s);
    await expect(row.check()).resolves.toBeUndefined();
    // One timed op returns something: no row times a no-op.
    expect(await row.op()).toBeTruthy();
  });

  it.each(Object.entries(PEER_VERIFY_ROWS))('%s: accepts pre-signed requests in its timed op', async (_name, make) => {
    const row = await make(s);
    await expect(row.check()).resolves.toBeUndefined();
    await row.before!(3);
    for (let i = 0; i < 3; i++) expect(await row.op()).toBe(true);
  });

  it('floor, Sigil sign and Sigil verify pass theirs', async () => {
    for (const make of [floorRow, sigilSignRow, sigilVerifyRow]) {
      const row = make(s);
      await expect(row.check()).resolves.toBeUndefined();
    }
  });
});

describe('checkPeer can fail', () => {
  const s = scenario('typical');

  it('refuses a verifier that accepts everything', async () => {
    await expect(checkPeer('accepts-all', s, async () => true)).rejects.toThrow(/tampered body was accepted/);
  });

  it('refuses a signer whose own signature does not verify', async () => {
    await expect(checkPeer('rejects-all', s, async () => false)).rejects.toThrow(/did not verify/);
  });

  it('refuses a verifier that ignores the target when the target is claimed covered', async () => {
    const ignoresTarget = async (v: { target: string; bodyText: string; headerValue?: string }) =>
      v.bodyText === s.bodyText && v.headerValue === undefined;
    await expect(checkPeer('ignores-target', s, ignoresTarget)).rejects.toThrow(/tampered target/);
  });
});
