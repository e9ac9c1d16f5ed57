// Child process: one scenario. Builds every row, runs every correctness
// check (a failing check fails the whole bench), times the rows and writes
// the results as JSON to the file named on the command line.
import { writeFileSync } from 'node:fs';
import { harnessConfig } from './config.js';
import { measure, type Row } from './harness.js';
import { ROWS } from './rows/index.js';
import { SCENARIO_IDS, scenario, type ScenarioId } from './scenarios.js';

/** What a worker writes. */
export interface ScenarioResult {
  readonly id: ScenarioId;
  readonly title: string;
  readonly bodyBytes: number;
  readonly rows: Awaited<ReturnType<typeof measure>>;
}

async function main(): Promise<void> {
  const [id, out] = process.argv.slice(2);
  if (!(SCENARIO_IDS as readonly string[]).includes(id ?? '') || !out) {
    throw new Error(`usage: worker.js <${SCENARIO_IDS.join('|')}> <out.json>`);
  }
  const s = scenario(id as ScenarioId);
  const log = (line: string) => process.stderr.write(`[${s.id}] ${line}\n`);
  const rows: Row[] = [];
  for (const make of ROWS) {
    const row = await make(s);
    await row.check();
    rows.push(row);
  }
  log(`checks passed for ${rows.length} rows`);
  const results = await measure(rows, harnessConfig(s.id), log);
  const result: ScenarioResult = { id: s.id, title: s.title, bodyBytes: s.body.length, rows: results };
  writeFileSync(out, JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
