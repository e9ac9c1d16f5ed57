// `pnpm bench`: one child process per scenario (each checks its rows, then
// times them against the floor in the same process), the 16 MiB memory
// measurement, the end-to-end server comparison; then the tables, the
// targets, and results/tmp/latest.{json,md} (git-ignored); with
// BENCH_RECORD=1 the committed snapshot results/<date>.json, results/latest.*
// (quick and partial runs always write results/tmp/partial.*).
//   BENCH_RECORD=1                record a committed snapshot
//   BENCH_QUICK=1                 about a minute, for a smoke run
//   BENCH_SCENARIOS=typical,...   a subset of scenarios
//   BENCH_SKIP=memory,e2e,stores,webhooks  skip those parts
//   BENCH_STORES=memory,redis     a subset of the replay stores (replay off always runs)
//   BENCH_STORES_LONG=1           longer store rounds, more nonces for bytes per nonce
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { QUICK } from './config.js';
import { runE2E } from './e2e/run-e2e.js';
import { runNode } from './lib/child.js';
import { runMemory } from './memory/run-memory.js';
import { formatReport, type BenchReport } from './report.js';
import { runStores } from './stores/run-stores.js';
import { runWebhooks } from './webhooks/run-webhooks.js';
import { SCENARIO_IDS, type ScenarioId } from './scenarios.js';
import { E2E_MIN_RATIO, MEMORY_MAX_BODY_MULTIPLE, ratioVerdicts, type Verdict } from './targets.js';
import type { ScenarioResult } from './worker.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const tmpDir = `${resultsDir}tmp/`;

function selectedScenarios(): ScenarioId[] {
  const asked = process.env.BENCH_SCENARIOS?.split(',').map((x) => x.trim()).filter(Boolean);
  if (!asked) return [...SCENARIO_IDS];
  const unknown = asked.filter((x) => !(SCENARIO_IDS as readonly string[]).includes(x));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIO_IDS.join(', ')}`);
  return asked as ScenarioId[];
}

async function main(): Promise<void> {
  mkdirSync(tmpDir, { recursive: true });
  const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').map((x) => x.trim()).filter(Boolean));
  const loadavgStart = loadavg();
  const scenarios: ScenarioResult[] = [];
  for (const id of selectedScenarios()) {
    log(`scenario ${id} (own process)`);
    const file = `${tmpDir}${id}.json`;
    // --expose-gc: the harness moves each prepared batch out of the young generation before timing it.
    await runNode('worker', [id, file], ['--expose-gc']);
    scenarios.push(JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult);
  }
  const verdicts: Verdict[] = ratioVerdicts(scenarios);
  const memory = skip.has('memory') ? [] : (log('memory: verifying a 16 MiB body'), await runMemory());
  for (const m of memory) {
    verdicts.push({
      target: `16 MiB verify (${m.mode}): extra peak <= ${MEMORY_MAX_BODY_MULTIPLE}x body`,
      measured: `${(m.extraBytes / m.bodyBytes).toFixed(2)}x`,
      met: m.extraBytes <= MEMORY_MAX_BODY_MULTIPLE * m.bodyBytes,
    });
  }
  const e2e = skip.has('e2e') ? null : (log('end to end'), await runE2E(log));
  if (e2e) {
    const ratio = e2e.servers.verify.ratio;
    const cpu = (mode: 'plain' | 'floor' | 'verify') => e2e.servers[mode].userMicros + e2e.servers[mode].systemMicros;
    verdicts.push({
      target: `end to end, 1 KiB: verification costs <= ${Math.round((1 - E2E_MIN_RATIO) * 100)}% of throughput`,
      measured:
        `costs ${((1 - ratio) * 100).toFixed(1)}% (floor alone ${((1 - e2e.servers.floor.ratio) * 100).toFixed(1)}%); ` +
        `by server CPU ${((1 - cpu('plain') / cpu('verify')) * 100).toFixed(1)}% (floor ${((1 - cpu('plain') / cpu('floor')) * 100).toFixed(1)}%)`,
      // Both figures: requests/s swings between trials on a shared machine, the pinned server's CPU per request much less.
      met: ratio >= E2E_MIN_RATIO && cpu('plain') / cpu('verify') >= E2E_MIN_RATIO,
    });
  }
  const stores = skip.has('stores') ? null : (log('replay stores (own process)'), await runStores());
  const webhooks = skip.has('webhooks') ? null : (log('webhooks: each scheme against its vendor'), await runWebhooks(log));
  const date = new Date().toISOString();
  const report: BenchReport = {
    date,
    quick: QUICK,
    machine: {
      cpus: availableParallelism(),
      model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadavgStart,
      loadavgEnd: loadavg(),
    },
    scenarios,
    memory,
    e2e,
    stores,
    webhooks,
    verdicts,
  };
  process.stdout.write(`\n${formatReport(report).join('\n')}\n`);
  const json = JSON.stringify(report, null, 2);
  const markdown = `${formatReport(report, true).join('\n')}\n`;
  if (QUICK || skip.size > 0 || process.env.BENCH_SCENARIOS !== undefined || process.env.BENCH_STORES !== undefined) {
    // Smoke and partial runs never replace the results of a full run.
    writeFileSync(`${tmpDir}partial.json`, json);
    writeFileSync(`${tmpDir}partial.md`, markdown);
    log('wrote results/tmp/partial.json and results/tmp/partial.md (quick or partial run)');
    return;
  }
  if (process.env.BENCH_RECORD !== '1') {
    // A full run leaves tracked files alone unless asked to record a snapshot.
    writeFileSync(`${tmpDir}latest.json`, json);
    writeFileSync(`${tmpDir}latest.md`, markdown);
    log('wrote results/tmp/latest.json and results/tmp/latest.md (BENCH_RECORD=1 records a committed snapshot)');
    return;
  }
  const stamp = date.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  writeFileSync(`${resultsDir}${stamp}.json`, json);
  writeFileSync(`${resultsDir}latest.json`, json);
  writeFileSync(`${resultsDir}latest.md`, markdown);
  log(`wrote results/${stamp}.json, results/latest.json, results/latest.md`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
