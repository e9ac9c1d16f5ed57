// The harness's arithmetic and bookkeeping; nothing here asserts a speed.
import { describe, expect, it } from 'vitest';
import { measure, median, quantile, type Row } from '../src/harness.js';
import { jsonBody, tamperBody } from '../src/scenarios.js';

const row = (name: string, group: Row['group'], op: () => unknown, async = false): Row => ({
  name,
  group,
  async,
  check: async () => {},
  op,
});

describe('harness', () => {
  it('quantile interpolates between sorted samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('times every row in every round, runs before() outside the timed ops, and gives the floor ratio 1', async () => {
    let prepared = 0;
    let ran = 0;
    const counted: Row = { ...row('counted', 'sigil', () => ran++, true), before: (n) => void (prepared += n) };
    const results = await measure([row('floor', 'floor', () => 1), counted], { warmupMs: 2, batchMs: 1, rounds: 3 }, () => {});
    expect(results.map((r) => r.name)).toEqual(['floor', 'counted']);
    expect(results[0]!.ratio).toBe(1);
    expect(results[1]!.samples).toHaveLength(3);
    expect(prepared).toBe(ran);
    expect(results.every((r) => r.opsPerSec > 0 && r.batch >= 1)).toBe(true);
  });

  it('refuses rows without a floor', async () => {
    await expect(measure([row('x', 'peer', () => 1)], { warmupMs: 1, batchMs: 1, rounds: 1 }, () => {})).rejects.toThrow(/floor/);
  });
});

describe('scenario bodies', () => {
  it.each([64, 1024, 1 << 20])('jsonBody(%i) is valid JSON of exactly that many bytes', (size) => {
    const text = jsonBody(size);
    expect(Buffer.byteLength(text)).toBe(size);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('tamperBody changes one byte and keeps the length', () => {
    const body = Buffer.from(jsonBody(1024));
    const changed = tamperBody(body);
    expect(changed.length).toBe(body.length);
    expect(changed.equals(body)).toBe(false);
    expect(tamperBody(Buffer.alloc(0)).length).toBe(1);
  });
});
