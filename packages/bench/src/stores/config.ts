// Run lengths of the store bench. BENCH_STORES_LONG=1 runs longer (more
// rounds, bigger batches, more nonces for the byte count); BENCH_QUICK=1 is
// a smoke run whose numbers mean nothing.
import { QUICK } from '../config.js';

const LONG = process.env.BENCH_STORES_LONG === '1';
const scale = QUICK ? 0.2 : LONG ? 3 : 1;

export const STORES_CONFIG = {
  /** In-flight requests per timed batch. */
  levels: [1, 16, 256] as const,
  /** Requests per timed batch, by concurrency. */
  requests: { 1: Math.round(1500 * scale), 16: Math.round(3000 * scale), 256: Math.round(6000 * scale) } as Readonly<Record<number, number>>,
  rounds: QUICK ? 2 : LONG ? 11 : 5,
  /** Nonces stored for the bytes-per-nonce delta. */
  bytesEntries: QUICK ? 10_000 : LONG ? 200_000 : 50_000,
};
