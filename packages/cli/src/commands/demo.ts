import { generateKey } from '@sigil/core';
import type { ParsedArgs } from '../lib/args.js';
import { EXIT, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import type { CliIo } from '../lib/io.js';
import { formatTable } from '../lib/table.js';
import { SCENARIOS, type DemoContext, type Observed, type Scenario } from '../demo/scenarios.js';
import { startDemoServers } from '../demo/servers.js';

const HELP = `Usage: sigil demo

Shows Sigil at work in a few seconds, on loopback only (no other network):
starts a verifier (@sigil/verify, in-memory nonce store) on 127.0.0.1 with
an ephemeral port, a second origin and a proxy that tampers with bodies, then
sends requests through the signing fetch (@sigil/fetch): a valid POST, a
replay, a tampered body, a stale timestamp, a slow client clock, plain http
to a remote host, and redirects to another origin.

Prints a table (scenario, expected, got, code) and exits 0 only if every row
matched; 1 otherwise.`;

const LEGEND = `Each request is signed over its method, target, host, content-type and exact body
bytes, with a timestamp and a one-time nonce. The verifier refuses replays (nonce
store), tampering (MAC) and stale timestamps (+-300 s; it answers with its clock,
so a client with a slow clock corrects itself and retries once). The client never
sends a signature over plain http to a remote host, nor to another origin.
`;

const SCENARIO_TIMEOUT_MS = 10_000;

function timeout(): Promise<Observed> {
  return new Promise((resolve) => {
    setTimeout(() => resolve({ outcome: `no answer in ${SCENARIO_TIMEOUT_MS / 1000} s`, code: '-' }), SCENARIO_TIMEOUT_MS).unref();
  });
}

async function observe(scenario: Scenario, ctx: DemoContext, debug: boolean, io: CliIo): Promise<Observed> {
  try {
    return await Promise.race([scenario.run(ctx), timeout()]);
  } catch (error) {
    if (debug) io.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    return { outcome: `error: ${(error as Error).message}`, code: '-' };
  }
}

const same = (a: Observed, b: Observed): boolean => a.outcome === b.outcome && a.code === b.code;

async function run({ values }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const keyId = 'demo-client';
  const key = generateKey();
  const servers = await startDemoServers(keyId, key);
  const rows: string[][] = [];
  let matched = 0;
  try {
    io.stdout.write(`Sigil demo: verifier on ${servers.api} (in-memory nonce store), client @sigil/fetch, key id ${keyId}\n\n`);
    for (const scenario of SCENARIOS) {
      const got = await observe(scenario, { servers, keyId, key }, values.debug === true, io);
      const ok = same(got, scenario.expected);
      if (ok) matched++;
      const code = got.code === scenario.expected.code ? got.code : `${got.code} (expected ${scenario.expected.code})`;
      rows.push([scenario.name, scenario.expected.outcome, got.outcome, code, ok ? 'yes' : 'NO']);
    }
  } finally {
    await servers.close();
  }
  io.stdout.write(formatTable(['scenario', 'expected', 'got', 'code', 'match'], rows));
  const all = matched === SCENARIOS.length;
  io.stdout.write(`\n${matched}/${SCENARIOS.length} scenarios behaved as expected${all ? '.' : ': FAILED.'}\n\n${LEGEND}`);
  return all ? EXIT.ok : EXIT.failed;
}

/** `sigil demo`: Sigil end to end on loopback, as a table. */
export const demo: Command = {
  name: 'demo',
  summary: 'run a local verifier and show accepted, replayed, tampered, stale and refused requests',
  help: HELP,
  options: {},
  maxPositionals: 0,
  run,
};
