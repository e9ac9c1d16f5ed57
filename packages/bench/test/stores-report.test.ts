// The store section of the report: every store and concurrency shows up,
// added latency is signed, skipped stores are named. Nothing is timed.
import { describe, expect, it } from 'vitest';
import type { StoresResult } from '../src/stores/child.js';
import { storesSection } from '../src/stores/report.js';

const level = (concurrency: number, ratio: number, added: number) => ({
  concurrency,
  opsPerSec: 1000 * ratio,
  ratio,
  ratioMin: ratio,
  ratioMax: ratio,
  p50Us: 10 + added,
  p99Us: 20 + added,
  addedP50Us: added,
  addedP99Us: added * 2,
});

const result: StoresResult = {
  scenario: 'typical',
  rounds: 5,
  requests: { '1': 10, '256': 20 },
  bytesEntries: 1000,
  stores: [
    { id: 'off', label: 'replay off (baseline)', note: '', levels: [level(1, 1, 0), level(256, 1, 0)] },
    { id: 'redis', label: 'Redis (ioredis)', note: '', bytesPerNonce: 160.4, bytesMethod: 'INFO used_memory delta', levels: [level(1, 0.25, 30), level(256, 0.5, 2500)] },
  ],
  skipped: [{ id: 'postgres', reason: 'no PostgreSQL at 127.0.0.1:5432' }],
};

const plain = (head: readonly string[], rows: readonly (readonly string[])[]) => [head.join('|'), ...rows.map((r) => r.join('|'))];

describe('storesSection', () => {
  it('prints ratios, added latency and bytes for every store and concurrency, and names skipped stores', () => {
    const text = storesSection(result, plain, false).join('\n');
    expect(text).toContain('Redis (ioredis)|0.25x (0.25-0.25)|0.50x (0.50-0.50)|250|500');
    expect(text).toContain('+30 us / +60 us|+2.50 ms / +5.00 ms|160 B');
    expect(text).toContain('10 us / 20 us (absolute)');
    expect(storesSection({ ...result, stores: [result.stores[0]!, { ...result.stores[1]!, levels: [level(1, 1, -1500), level(256, 1, -20)] }] }, plain, false).join('\n')).toContain(
      '-1.50 ms / -3.00 ms|-20 us / -40 us',
    );
    expect(text).toContain('SKIPPED postgres: no PostgreSQL at 127.0.0.1:5432');
  });
});
