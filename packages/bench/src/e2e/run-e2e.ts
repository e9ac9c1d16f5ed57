// End to end: a Node http server with the verifier against the same server
// without it, each loaded by autocannon from a second process with the same
// number of pre-signed, distinct requests (typical request, 1 KiB body).
// Trials alternate plain/verify so that machine noise hits both.
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

export interface E2EResult {
  readonly requests: number;
  readonly connections: number;
  readonly trials: { readonly plain: LoadSummary[]; readonly verify: LoadSummary[] };
  readonly plainRps: number;
  readonly verifyRps: number;
  /** Median over trials of verify requests/s / plain requests/s (trials paired in order). */
  readonly ratio: number;
  /** Statuses the correctness probes got after the first verify trial. */
  readonly probes: { readonly fresh: number; readonly replay: number; readonly tampered: number };
}

/** Header objects as autocannon sends them; Content-Length keeps autocannon's spelling so it is not duplicated. */
function headerObjects(s: Scenario, n: number): Array<Record<string, string>> {
  return presign(s, n).map((r) =>
    Object.fromEntries((r.headers as Array<[string, string]>).map(([k, v]) => [k === 'content-length' ? 'Content-Length' : k, v])),
  );
}

async function trial(mode: 'plain' | 'verify', s: Scenario, file: string): Promise<{ summary: LoadSummary; port: number; sent: LoadFile; stop: () => Promise<void> }> {
  // Margin: autocannon builds one request per connection ahead of sending.
  const sent: LoadFile = { method: s.method, path: s.target, body: s.bodyText, headers: headerObjects(s, E2E.requests + 4 * E2E.connections + 100) };
  writeFileSync(file, JSON.stringify(sent));
  const server = await startNode<{ port: number }>('e2e-server', [mode]);
  const port = server.ready.port;
  const out = await runNode('e2e-load', [String(port), file, String(E2E.connections), String(E2E.requests)]);
  const summary = JSON.parse(out) as LoadSummary;
  if (summary.non2xx !== 0 || summary.errors !== 0 || summary.timeouts !== 0 || summary.requests !== E2E.requests) {
    await server.stop();
    throw new Error(`e2e ${mode}: ${summary.requests} requests, ${summary.non2xx} non-2xx, ${summary.errors} errors, ${summary.timeouts} timeouts`);
  }
  return { summary, port, sent, stop: server.stop };
}

/** A fresh request (200), the same again (401, replay) and a tampered fresh one (401). */
async function probe(port: number, s: Scenario, sent: LoadFile): Promise<{ fresh: number; replay: number; tampered: number }> {
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
  const trials = { plain: [] as LoadSummary[], verify: [] as LoadSummary[] };
  let probes = { fresh: 0, replay: 0, tampered: 0 };
  for (let t = 0; t < (QUICK ? 1 : 3); t++) {
    for (const mode of ['plain', 'verify'] as const) {
      const run = await trial(mode, s, file);
      if (mode === 'verify' && t === 0) probes = await probe(run.port, s, run.sent);
      await run.stop();
      trials[mode].push(run.summary);
      log(`  e2e ${mode} trial ${t + 1}: ${Math.round(run.summary.requestsPerSec)} req/s`);
    }
  }
  const ratios = trials.verify.map((v, i) => v.requestsPerSec / trials.plain[i]!.requestsPerSec);
  return {
    requests: E2E.requests,
    connections: E2E.connections,
    trials,
    plainRps: median(trials.plain.map((x) => x.requestsPerSec)),
    verifyRps: median(trials.verify.map((x) => x.requestsPerSec)),
    ratio: median(ratios),
    probes,
  };
}
