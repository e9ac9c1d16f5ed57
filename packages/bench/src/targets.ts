// The targets of issue 6 (typical verify raised to 0.6x by issue 16), each
// judged on a ratio from the same run.
import type { ScenarioId } from './scenarios.js';
import type { ScenarioResult } from './worker.js';

/** A ratio-to-floor target: `row` in `scenario` reaches at least `min` x the floor's ops/s. */
interface RatioTarget {
  readonly scenario: ScenarioId;
  readonly row: string;
  readonly min: number;
}

export const RATIO_TARGETS: readonly RatioTarget[] = [
  { scenario: 'typical', row: 'Sigil sign', min: 0.6 },
  { scenario: 'typical', row: 'Sigil verify', min: 0.6 },
  { scenario: 'tiny-get', row: 'Sigil sign', min: 0.5 },
  { scenario: 'tiny-get', row: 'Sigil verify', min: 0.5 },
  { scenario: 'body-1mib', row: 'Sigil sign', min: 0.9 },
  { scenario: 'body-1mib', row: 'Sigil verify', min: 0.9 },
  { scenario: 'body-16mib', row: 'Sigil sign', min: 0.9 },
  { scenario: 'body-16mib', row: 'Sigil verify', min: 0.9 },
];

/** Verifying a 16 MiB body: extra peak memory at most this many times the body. */
export const MEMORY_MAX_BODY_MULTIPLE = 2;
/** End to end, 1 KiB bodies: the verifying server keeps at least this share of the plain server's requests/s. */
export const E2E_MIN_RATIO = 0.85;

/** One judged target, as printed and stored. */
export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

/** Verdicts for the ratio targets present in `results` (a scenario not run gives `met: null`). */
export function ratioVerdicts(results: readonly ScenarioResult[]): Verdict[] {
  return RATIO_TARGETS.map((t) => {
    const row = results.find((r) => r.id === t.scenario)?.rows.find((r) => r.name === t.row);
    return {
      target: `${t.scenario}: ${t.row} >= ${t.min}x floor`,
      measured: row ? `${row.ratio.toFixed(2)}x (rounds ${row.ratioMin.toFixed(2)}-${row.ratioMax.toFixed(2)})` : 'not run',
      met: row ? row.ratio >= t.min : null,
    };
  });
}
