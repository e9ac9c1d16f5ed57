// The webhook rows' correctness checks, run in the normal suite (nothing is
// timed): each vendor's verify and Sigil's two accept the signed delivery
// and refuse a tampered body, and each timed op does real work.
import { describe, expect, it } from 'vitest';
import { webhookRows, webhooksSection } from '../src/webhooks/run-webhooks.js';

describe('webhook bench rows', () => {
  it.each(webhookRows().map((g) => [g.scheme, g] as const))('%s: the vendor and Sigil accept the delivery and refuse it tampered', async (_scheme, g) => {
    expect(g.rows.map((r) => r.group)).toEqual(['floor', 'sigil', 'sigil']);
    for (const row of g.rows) {
      await expect(row.check()).resolves.toBeUndefined();
      const answer = await row.op();
      // A timed Sigil op is an accepted verification, not a refusal.
      if (row.group === 'sigil') expect(answer).toMatchObject({ ok: true });
    }
  });

  it('prints one line per row, the vendor as the baseline', () => {
    const rows = [{ name: 'vendor', group: 'floor', batch: 1, opsPerSec: 1000, spread: 0, ratio: 1, ratioMin: 1, ratioMax: 1, samples: [] }, { name: 'Sigil', group: 'sigil', batch: 1, opsPerSec: 2500, spread: 0, ratio: 2.5, ratioMin: 2, ratioMax: 3, samples: [] }] as const;
    const lines = webhooksSection([{ scheme: 'stripe', baseline: 'vendor', rows }], (head, body) => [head.join('|'), ...body.map((r) => r.join('|'))], false);
    expect(lines).toContain('stripe|vendor|1,000|1.00x (baseline)');
    expect(lines).toContain('stripe|Sigil|2,500|2.50x (2.00-3.00)');
  });
});
