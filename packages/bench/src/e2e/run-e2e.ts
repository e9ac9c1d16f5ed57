// End to end: a Node http server with the verifier against the same server
// without it (and with only the floor's work, for reference), each loaded by
// the package's own generator (loader.ts: requests serialised before the
// clock starts, one write each) from a second process with the same number
// of pre-signed, distinct requests (typical request, 1 KiB body). Trials
// alternate the servers so that machine noise hits all of them. The server is pinned to
// CPU 0 and the load generator to CPU 1 with taskset when it is there (and
// BENCH_E2E_PIN is not 0), so that neither steals the other's core. The
// verifier runs with the memory store, and with Redis (a throwaway
// redis-server) and PostgreSQL (a table of its own at DATABASE_URL) when
// those are there; an absent one is skipped with a banner.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { E2E, QUICK } from '../config.js';
import { median } from '../harness.js';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { nonceTableSql } from '@sigil/postgres';
import { reachable, redisServerAvailable, startRedisServer, type SpawnedRedis } from '@sigil/store-contract';
import { canPin, runNode, send, startNode } from '../lib/child.js';
import { DATABASE_URL } from '../stores/backends.js';
import { presign } from '../rows/sigil-verify.js';
import { scenario, type Scenario } from '../scenarios.js';
import type { LoadFile, LoadSummary } from './loader.js';

/** One trial: the load generator's view and the server's own CPU time. */
export interface Trial extends LoadSummary {
  /** Server user CPU time per request served, microseconds. */
  readonly serverUserMicros: number;
  /** Server system CPU time per request served, microseconds (loopback writes, wakeups). */
  readonly serverSystemMicros: number;
}

/** The servers compared: no verification, only the floor's work, the full verifier with each store, and with response signing (memory store). */
export const E2E_MODES = ['plain', 'floor', 'verify', 'verify-signed', 'verify-redis', 'verify-pg'] as const;
export type E2EMode = (typeof E2E_MODES)[number];

/** One server's trials and their medians. */
export interface E2EServer {
  readonly trials: Trial[];
  readonly rps: number;
  /** Medians of the server's user and system CPU per request, microseconds. */
  readonly userMicros: number;
  readonly systemMicros: number;
  /** Median share of the run the server's CPU was busy (CPU per request x requests/s); below ~0.95 the load generator, not the server, set the pace. */
  readonly busy: number;
  /** Median of the load generator's own CPU per request, microseconds. */
  readonly loadMicros: number;
  /** Median over trials of this server's requests/s / the plain server's (trials paired in order). */
  readonly ratio: number;
}

export interface E2EResult {
  readonly requests: number;
  readonly connections: number;
  /** Servers that ran (verify-redis and verify-pg only when their service is there). */
  readonly servers: Readonly<Record<'plain' | 'floor' | 'verify' | 'verify-signed', E2EServer>> & Partial<Record<E2EMode, E2EServer>>;
  /** Median over trials of the response-signing server's requests/s / the verifying server's (paired in order). */
  readonly signedRatio: number;
  /** CPUs the server and the load generator were pinned to, or null when unpinned. */
  readonly pinned?: { readonly server: number; readonly load: number } | null;
  /** Modes skipped, and why. */
  readonly skipped?: ReadonlyArray<{ readonly mode: E2EMode; readonly reason: string }>;
  /** Statuses the correctness probes got after the first verify trial. */
  readonly probes: { readonly fresh: number; readonly replay: number; readonly tampered: number };
}

/** Header objects of `n` distinct pre-signed requests. */
function headerObjects(s: Scenario, n: number): Array<Record<string, string>> {
  return presign(s, n).map((r) => Object.fromEntries(r.headers as Array<[string, string]>));
}

interface Setup {
  readonly pin: { readonly server: number; readonly load: number } | null;
  /** Extra server arguments per mode. */
  readonly args: Partial<Record<E2EMode, string[]>>;
}

async function trial(mode: E2EMode, s: Scenario, file: string, setup: Setup, probe?: (port: number, sent: LoadFile) => Promise<void>): Promise<Trial> {
  // One batch, so the warm-up's nonces and the measured ones never repeat.
  const signed = headerObjects(s, E2E.warmup + E2E.requests);
  const load = (headers: Array<Record<string, string>>): LoadFile => ({ method: s.method, path: s.target, body: s.bodyText, headers });
  const warm = load(signed.slice(0, E2E.warmup));
  const sent = load(signed.slice(E2E.warmup));
  const server = await startNode<{ port: number }>('e2e-server', [mode, ...(setup.args[mode] ?? [])], [], setup.pin?.server);
  let summary: LoadSummary;
  const run = async (what: LoadFile, requests: number): Promise<LoadSummary> => {
    writeFileSync(file, JSON.stringify(what));
    return JSON.parse(await runNode('e2e-load', [String(server.ready.port), file, String(E2E.connections), String(requests)], [], setup.pin?.load)) as LoadSummary;
  };
  try {
    // Warm-up, then the server's counts restart: a server in service runs warm.
    const warmed = await run(warm, E2E.warmup);
    if (warmed.non2xx !== 0 || warmed.errors !== 0) throw new Error(`e2e ${mode} warm-up: ${warmed.non2xx} non-2xx, ${warmed.errors} errors`);
    if ((await send(server.ready.port, 'GET', '/__bench_mark', {})).status !== 200) throw new Error(`e2e ${mode}: the server refused the mark`);
    summary = await run(sent, E2E.requests);
    if (summary.non2xx !== 0 || summary.errors !== 0 || summary.timeouts !== 0 || summary.requests !== E2E.requests) {
      throw new Error(`e2e ${mode}: ${summary.requests} requests, ${summary.non2xx} non-2xx, ${summary.errors} errors, ${summary.timeouts} timeouts`);
    }
    await probe?.(server.ready.port, sent);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const usage = JSON.parse((await server.stop()).trim() || '{}') as { requests?: number; userMicros?: number; systemMicros?: number };
  if (!usage.requests || usage.userMicros === undefined || usage.systemMicros === undefined) {
    throw new Error(`e2e ${mode}: the server reported no CPU usage`);
  }
  return { ...summary, serverUserMicros: usage.userMicros / usage.requests, serverSystemMicros: usage.systemMicros / usage.requests };
}

/** A fresh request (200), the same again (401, replay) and a tampered fresh one (401). */
async function probe(port: number, s: Scenario, sent: LoadFile): Promise<E2EResult['probes']> {
  const body = Buffer.from(sent.body);
  const [one, two] = headerObjects(s, 2);
  const fresh = await send(port, s.method, sent.path, one!, body);
  const replay = await send(port, s.method, sent.path, one!, body);
  const tampered = await send(port, s.method, `${sent.path}&admin=1`, two!, body);
  if (fresh.status !== 200 || replay.status !== 401 || tampered.status !== 401) {
    throw new Error(`e2e verify: fresh got ${fresh.status}, replay ${replay.status}, tampered ${tampered.status}; expected 200, 401, 401`);
  }
  return { fresh: fresh.status, replay: replay.status, tampered: tampered.status };
}

/**
 * Runs the end-to-end comparison.
 *
 * @example
 * const e2e = await runE2E((line) => console.error(line));
 */
export async function runE2E(log: (line: string) => void): Promise<E2EResult> {
  const s = scenario('typical');
  const file = fileURLToPath(new URL('../results/tmp/e2e-requests.json', import.meta.url));
  const pin = process.env.BENCH_E2E_PIN !== '0' && availableParallelism() >= 2 && canPin() ? { server: 0, load: 1 } : null;
  if (!pin) log('  e2e: NOT pinned (no taskset, one CPU, or BENCH_E2E_PIN=0): server and load share cores');
  const skipped: Array<{ mode: E2EMode; reason: string }> = [];
  const skip = (mode: E2EMode, reason: string): void => {
    skipped.push({ mode, reason });
    log(`\n${'='.repeat(78)}\n  e2e ${mode} SKIPPED: ${reason}\n${'='.repeat(78)}\n`);
  };
  let redis: SpawnedRedis | undefined;
  let pool: pg.Pool | undefined;
  const table = `sigil_bench_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  const args: Setup['args'] = {};
  try {
    if (redisServerAvailable('@sigil/bench e2e')) {
      redis = await startRedisServer();
      args['verify-redis'] = [redis.url];
    } else skip('verify-redis', 'no redis-server/redis-cli on PATH');
    const url = new URL(DATABASE_URL);
    if (await reachable(url.hostname, Number(url.port || 5432))) {
      pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      await pool.query(nonceTableSql({ table }));
      args['verify-pg'] = [DATABASE_URL, table];
    } else skip('verify-pg', `no PostgreSQL at ${url.host} (set DATABASE_URL)`);
    const modes = E2E_MODES.filter((m) => !skipped.some((x) => x.mode === m));
    const setup: Setup = { pin, args };
    const trials: Partial<Record<E2EMode, Trial[]>> = Object.fromEntries(modes.map((m) => [m, []]));
    let probes: E2EResult['probes'] | undefined;
    for (let t = 0; t < E2E.trials; t++) {
      for (const mode of modes) {
        const check = mode.startsWith('verify') && t === 0 ? async (port: number, sent: LoadFile) => void (probes = await probe(port, s, sent)) : undefined;
        const result = await trial(mode, s, file, setup, check);
        trials[mode]!.push(result);
        log(`  e2e ${mode} trial ${t + 1}: ${Math.round(result.requestsPerSec)} req/s, server CPU us/request ${result.serverUserMicros.toFixed(0)} user + ${result.serverSystemMicros.toFixed(0)} system, load generator ${result.loadMicros.toFixed(0)}`);
      }
    }
    if (!probes) throw new Error('e2e: the correctness probes did not run');
    const server = (mode: E2EMode): E2EServer => ({
      trials: trials[mode]!,
      rps: median(trials[mode]!.map((x) => x.requestsPerSec)),
      userMicros: median(trials[mode]!.map((x) => x.serverUserMicros)),
      systemMicros: median(trials[mode]!.map((x) => x.serverSystemMicros)),
      busy: median(trials[mode]!.map((x) => ((x.serverUserMicros + x.serverSystemMicros) * x.requestsPerSec) / 1e6)),
      loadMicros: median(trials[mode]!.map((x) => x.loadMicros)),
      ratio: median(trials[mode]!.map((x, i) => x.requestsPerSec / trials.plain![i]!.requestsPerSec)),
    });
    const servers = Object.fromEntries(modes.map((m) => [m, server(m)])) as E2EResult['servers'];
    const signedRatio = median(trials['verify-signed']!.map((x, i) => x.requestsPerSec / trials.verify![i]!.requestsPerSec));
    return { requests: E2E.requests, connections: E2E.connections, servers, signedRatio, probes, pinned: pin, skipped };
  } finally {
    await redis?.kill();
    if (pool) {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
      await pool.end();
    }
  }
}
