// Run lengths. BENCH_QUICK=1 is a smoke run of about a minute that shows
// the harness works end to end; its numbers are not worth quoting.
import type { HarnessConfig } from './harness.js';
import type { ScenarioId } from './scenarios.js';

/** True for a smoke run (BENCH_QUICK=1). */
export const QUICK = process.env.BENCH_QUICK === '1';

const FULL: HarnessConfig = { warmupMs: 400, batchMs: 120, rounds: 21 };
const SMOKE: HarnessConfig = { warmupMs: 60, batchMs: 15, rounds: 5 };

/** Harness settings for one scenario. The 16 MiB body gets fewer, one-op batches anyway. */
export function harnessConfig(id: ScenarioId): HarnessConfig {
  const base = QUICK ? SMOKE : FULL;
  return id === 'body-16mib' ? { ...base, rounds: QUICK ? 3 : 11 } : base;
}

/**
 * End to end: `warmup` requests per trial first (not counted: JIT and caches
 * warm, as a server in service is), then `requests` measured, over
 * `connections` keep-alive connections (BENCH_E2E_CONNECTIONS), one
 * request in flight on each.
 */
export const E2E = {
  requests: QUICK ? 4_000 : 20_000,
  warmup: QUICK ? 1_000 : 5_000,
  connections: Number(process.env.BENCH_E2E_CONNECTIONS ?? 10),
  trials: QUICK ? 1 : Number(process.env.BENCH_E2E_TRIALS ?? 3),
} as const;
