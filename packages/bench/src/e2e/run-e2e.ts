// End to end: a Node http server with the verifier against the same server
// without it (and with only the floor's work, for reference), each loaded by
// autocannon from a second process with the same number of pre-signed,
// distinct requests (typical request, 1 KiB body). Trials alternate the
// servers so that machine noise hits all of them.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { E2E, QUICK } from '../config.js';
import { median } from '../harness.js';
import { runNode, send, startNode } from '../lib/child.js';
import { presign } from '../rows/sigil-verify.js';
import { scenario, type Scenario } from '../scenarios.js';
import type { LoadFile } from './load.js';

/** Summary autocannon gives for one trial. */
export interface LoadSummary {
  readonly requests: number;
  readonly durationMs: number;
  readonly requestsPerSec: number;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** One trial: the load generator's view and the server's own CPU time. */
export interface Trial extends LoadSummary {
  /** Server user CPU time per request served, microseconds. */
  readonly serverUserMicros: number;
  /** Server system CPU time per request served, microseconds (loopback writes, wakeups). */
  readonly serverSystemMicros: number;
}

/** The servers compared: no verification, only the floor's work, the full verifier. */
export const E2E_MODES = ['plain', 'floor', 'verify'] as const;
export type E2EMode = (typeof E2E_MODES)[number];

/** One server's trials and their medians. */
export interface E2EServer {
  readonly trials: Trial[];
  readonly rps: number;
  /** Medians of the server's user and system CPU per request, microseconds. */
  readonly userMicros: number;
  readonly systemMicros: number;
  /** Median over trials of this server's requests/s / the plain server's (trials paired in order). */
  readonly ratio: number;
}

export interface E2EResult {
  readonly requests: number;
  readonly connections: number;
  readonly servers: Readonly<Record<E2EMode, E2EServer>>;
  /** Statuses the correctness probes got after the first verify trial. */
  readonly probes: { readonly fresh: number; readonly replay: number; readonly tampered: number };
}

/** Header objects as autocannon sends them; Content-Length keeps autocannon's spelling so it is not duplicated. */
function headerObjects(s: Scenario, n: number): Array<Record<string, string>> {
  return presign(s, n).map((r) =>
    Object.fromEntries((r.headers as Array<[string, string]>).map(([k, v]) => [k === 'content-length' ? 'Content-Length' : k, v])),
  );
}

async function trial(mode: E2EMode, s: Scenario, file: string, probe?: (port: number, sent: LoadFile) => Promise<void>): Promise<Trial> {
  // Margin: autocannon builds one request per connection ahead of sending.
  const sent: LoadFile = { method: s.method, path: s.target, body: s.bodyText, headers: headerObjects(s, E2E.requests + 4 * E2E.connections + 100) };
  writeFileSync(file, JSON.stringify(sent));
  const server = await startNode<{ port: number }>('e2e-server', [mode]);
  let summary: LoadSummary;
  try {
    summary = JSON.parse(await runNode('e2e-load', [String(server.ready.port), file, String(E2E.connections), String(E2E.requests)])) as LoadSummary;
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
  const trials: Record<E2EMode, Trial[]> = { plain: [], floor: [], verify: [] };
  let probes: E2EResult['probes'] | undefined;
  for (let t = 0; t < (QUICK ? 1 : 3); t++) {
    for (const mode of E2E_MODES) {
      const check = mode === 'verify' && t === 0 ? async (port: number, sent: LoadFile) => void (probes = await probe(port, s, sent)) : undefined;
      const result = await trial(mode, s, file, check);
      trials[mode].push(result);
      log(`  e2e ${mode} trial ${t + 1}: ${Math.round(result.requestsPerSec)} req/s, server CPU us/request ${result.serverUserMicros.toFixed(0)} user + ${result.serverSystemMicros.toFixed(0)} system`);
    }
  }
  if (!probes) throw new Error('e2e: the correctness probes did not run');
  const server = (mode: E2EMode): E2EServer => ({
    trials: trials[mode],
    rps: median(trials[mode].map((x) => x.requestsPerSec)),
    userMicros: median(trials[mode].map((x) => x.serverUserMicros)),
    systemMicros: median(trials[mode].map((x) => x.serverSystemMicros)),
    ratio: median(trials[mode].map((x, i) => x.requestsPerSec / trials.plain[i]!.requestsPerSec)),
  });
  return {
    requests: E2E.requests,
    connections: E2E.connections,
    servers: { plain: server('plain'), floor: server('floor'), verify: server('verify') },
    probes,
  };
}
