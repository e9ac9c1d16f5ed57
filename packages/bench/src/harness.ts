// The timing harness. Rows are interleaved within each round (the start row
// rotates every round) so that noise from other processes on the machine
// spreads over all rows instead of landing on one; every row's ratio to the
// floor is taken per round, from measurements seconds apart, and then the
// median of those ratios is reported.
import type { Scenario } from './scenarios.js';

/** One thing that is timed: the floor, a reference beside it, a Sigil operation or a peer. */
export interface Row {
  readonly name: string;
  readonly group: 'floor' | 'reference' | 'sigil' | 'peer';
  /** What the row does beyond the obvious (input form, what it covers). */
  readonly note?: string;
  /** True when `op` returns a promise that the harness must await. */
  readonly async: boolean;
  /**
   * Correctness before timing: sign, verify that output, and check that a
   * tampered request is rejected. Throws when anything is wrong.
   */
  check(): Promise<void>;
  /** Untimed preparation before a timed batch of `n` ops (e.g. pre-signing distinct requests). */
  before?(n: number): void | Promise<void>;
  /** One operation. */
  op(): unknown;
}

/** Builds a row for a scenario; may load a peer library. */
export type RowFactory = (s: Scenario) => Row | Promise<Row>;

export interface HarnessConfig {
  readonly warmupMs: number;
  readonly batchMs: number;
  readonly rounds: number;
}

export interface RowResult {
  readonly name: string;
  readonly group: Row['group'];
  readonly note?: string;
  /** Operations per timed batch. */
  readonly batch: number;
  /** Median over rounds. */
  readonly opsPerSec: number;
  /** Interquartile range of the per-round ops/s, relative to the median. */
  readonly spread: number;
  /** Median over rounds of (this row's ops/s / the floor's ops/s in that round). */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  readonly samples: readonly number[];
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

// Results land here so that no engine can prove an op's result unused.
let sink: unknown;
export const lastResult = (): unknown => sink;

const collect = (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc;

/** Runs `n` ops of a row and returns the elapsed nanoseconds (preparation excluded). */
async function timeBatch(row: Row, n: number): Promise<number> {
  if (row.before) {
    await row.before(n);
    // The prepared batch (pre-signed requests) stays alive until its last
    // op, so every young-generation GC inside the timer would copy what is
    // left of it: a cost of the bench, not of the row (a server's request
    // dies young). Two minor GCs first move it to the old generation.
    // Workers run with --expose-gc; without it the batch is timed as is.
    collect?.({ type: 'minor' });
    collect?.({ type: 'minor' });
  }
  const start = process.hrtime.bigint();
  if (row.async) {
    for (let i = 0; i < n; i++) sink = await row.op();
  } else {
    for (let i = 0; i < n; i++) sink = row.op();
  }
  return Number(process.hrtime.bigint() - start);
}

/** Warm-up that doubles the batch until `warmupMs` is spent; returns the batch size for `batchMs`. */
async function calibrate(row: Row, config: HarnessConfig): Promise<number> {
  let n = 1;
  let spent = 0;
  let rate = 0;
  while (spent < config.warmupMs * 1e6) {
    const ns = await timeBatch(row, n);
    spent += ns;
    rate = n / ns;
    if (ns < config.batchMs * 1e6) n *= 2;
  }
  return Math.max(1, Math.round(rate * config.batchMs * 1e6));
}

/**
 * Times every row: calibration (which is also the warm-up), then
 * `config.rounds` rounds of one batch per row, interleaved. The row with
 * group `floor` must be present; ratios are against it.
 */
export async function measure(rows: readonly Row[], config: HarnessConfig, log: (line: string) => void): Promise<RowResult[]> {
  const floorIndex = rows.findIndex((r) => r.group === 'floor');
  if (floorIndex < 0) throw new Error('the floor row is missing');
  const batches: number[] = [];
  for (const row of rows) {
    batches.push(await calibrate(row, config));
    log(`  warmed up ${row.name}: batch ${batches.at(-1)}`);
  }
  const samples: number[][] = rows.map(() => []);
  for (let round = 0; round < config.rounds; round++) {
    for (let k = 0; k < rows.length; k++) {
      const i = (k + round) % rows.length;
      const ns = await timeBatch(rows[i]!, batches[i]!);
      samples[i]!.push((batches[i]! * 1e9) / ns);
    }
    log(`  round ${round + 1}/${config.rounds}`);
  }
  const floor = samples[floorIndex]!;
  return rows.map((row, i) => {
    const own = samples[i]!;
    const ratios = own.map((v, r) => v / floor[r]!);
    const mid = median(own);
    return {
      name: row.name,
      group: row.group,
      ...(row.note ? { note: row.note } : {}),
      batch: batches[i]!,
      opsPerSec: mid,
      spread: (quantile(own, 0.75) - quantile(own, 0.25)) / mid,
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      samples: own,
    };
  });
}
