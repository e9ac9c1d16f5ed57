// Child process (`node --expose-gc dist/stores.js <out.json>`): the replay
// stores through one verifier. For every store it checks that a fresh
// request verifies and its replay is refused, measures the bytes one live
// nonce takes, then times rounds of distinct pre-signed requests at
// concurrency 1, 16 and 256, the stores interleaved (start rotating each
// round) so that machine noise spreads over all of them. Every ratio is
// against the verifier with replay off in the same round and concurrency.
import { writeFileSync } from 'node:fs';
import { importKey } from '@sigil/core';
import { createVerifier, type NonceStore, type Verifier, type VerifierRequest } from '@sigil/verify';
import { median, quantile } from '../harness.js';
import { presign } from '../rows/sigil-verify.js';
import { KEY_ID, SECRET, scenario, type Scenario } from '../scenarios.js';
import { freshNonce, openBackend, STORE_IDS, STORE_LABELS, type Backend, type Skipped, type StoreId } from './backends.js';
import { STORES_CONFIG } from './config.js';

/** One store at one concurrency. */
export interface StoreLevel {
  readonly concurrency: number;
  /** Median over rounds. */
  readonly opsPerSec: number;
  /** Median over rounds of (ops/s / replay-off ops/s in that round), and its range. */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** Per-request latency over every timed request of every round, microseconds. */
  readonly p50Us: number;
  readonly p99Us: number;
  /** Minus replay off's at the same concurrency. */
  readonly addedP50Us: number;
  readonly addedP99Us: number;
}

export interface StoreResult {
  readonly id: StoreId;
  readonly label: string;
  readonly note: string;
  /** Bytes per live nonce and how they were counted; undefined for replay off. */
  readonly bytesPerNonce?: number;
  readonly bytesMethod?: string;
  readonly levels: readonly StoreLevel[];
}

export interface StoresResult {
  readonly scenario: string;
  readonly rounds: number;
  readonly requests: Readonly<Record<string, number>>;
  readonly bytesEntries: number;
  readonly stores: readonly StoreResult[];
  readonly skipped: readonly Skipped[];
}

const log = (line: string): void => void process.stderr.write(`[stores] ${line}\n`);

function verifierFor(s: Scenario, store: NonceStore | undefined): Verifier {
  const common = { keys: { [KEY_ID]: importKey(SECRET) }, requiredHeaders: s.signed, maxBodyBytes: 1 << 20 };
  return store ? createVerifier({ ...common, nonceStore: store }) : createVerifier({ ...common, replay: false });
}

/** Runs every request once with `concurrency` in flight; elapsed ns and each request's latency in us. */
async function drive(verifier: Verifier, queue: readonly VerifierRequest[], concurrency: number): Promise<{ ns: number; latencies: Float64Array }> {
  const latencies = new Float64Array(queue.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const i = next++;
      const t0 = performance.now();
      const result = await verifier.verify(queue[i]!);
      latencies[i] = (performance.now() - t0) * 1000;
      if (!result.ok) throw new Error(`a valid request was rejected (${result.code})`);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ns: Number(process.hrtime.bigint() - start), latencies };
}

/** Fresh request verifies; its replay is refused (accepted again with replay off). */
async function check(b: Backend, verifier: Verifier, s: Scenario): Promise<void> {
  const [good] = presign(s, 1);
  const first = await verifier.verify(good!);
  if (!first.ok) throw new Error(`${b.id}: a fresh request did not verify (${first.code})`);
  const again = await verifier.verify(good!);
  if (b.store && (again.ok || again.code !== 'nonce_replayed')) throw new Error(`${b.id}: a replay was not refused`);
  if (!b.store && !again.ok) throw new Error(`${b.id}: with replay off a second send was refused (${again.code})`);
}

const collector = (): ((options?: { type: 'minor' }) => void) => {
  const collect = (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  return collect;
};

const gc = (): void => {
  collector()();
  collector()();
};

const minorGc = (): void => {
  collector()({ type: 'minor' });
  collector()({ type: 'minor' });
};

/** Stores `n` fresh nonces straight into the store, `concurrency` at a time. */
async function fill(store: NonceStore, nonces: readonly string[], concurrency: number): Promise<void> {
  const expires = Date.now() + 600_000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < nonces.length) {
      if (!(await store.checkAndStore(KEY_ID, nonces[next++]!, expires))) throw new Error('a fresh nonce was refused');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Bytes per live nonce: heap delta (memory) or the server's own count (Redis used_memory, relation size). */
async function bytesPerNonce(b: Backend, n: number): Promise<{ bytes: number; method: string } | undefined> {
  if (!b.store) return undefined;
  const nonces = Array.from({ length: n }, freshNonce);
  if (b.id === 'memory') {
    // A store of its own, so the timed one's nonces do not count.
    const opened = await openBackend('memory');
    const store = (opened as Backend).store!;
    // The compact table's slots are typed arrays, whose bytes V8 keeps off its heap: count both.
    const used = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    gc();
    const before = used();
    await fill(store, nonces, 1);
    gc();
    const after = used();
    const method = `heapUsed + arrayBuffers delta after gc over ${n.toLocaleString('en-US')} nonces (hash-table slots holding a 16-byte nonce's words, expiry queue; other nonces add their string)`;
    return { bytes: (after - before) / n, method };
  }
  const before = await b.serverBytes!();
  await fill(b.store, nonces, 64);
  const after = await b.serverBytes!();
  const what = b.id === 'postgres' ? 'pg_total_relation_size delta (table + indexes)' : b.id === 'cluster' ? 'INFO used_memory delta summed over the 3 masters' : 'INFO used_memory delta';
  return { bytes: (after - before) / n, method: `${what} over ${n.toLocaleString('en-US')} nonces` };
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: stores.js <out.json>');
  const s = scenario('typical');
  const asked = process.env.BENCH_STORES?.split(',').map((x) => x.trim()).filter(Boolean);
  const ids = STORE_IDS.filter((id) => id === 'off' || !asked || asked.includes(id));
  const backends: Backend[] = [];
  const skipped: Skipped[] = [];
  try {
    for (const id of ids) {
      log(`opening ${STORE_LABELS[id]}`);
      const opened = await openBackend(id);
      if ('reason' in opened) skipped.push(opened);
      else backends.push(opened);
    }
    const verifiers = backends.map((b) => verifierFor(s, b.store));
    for (const [i, b] of backends.entries()) await check(b, verifiers[i]!, s);
    log(`checks passed for ${backends.length} stores`);

    const bytes: Array<Awaited<ReturnType<typeof bytesPerNonce>>> = [];
    for (const b of backends) {
      bytes.push(await bytesPerNonce(b, STORES_CONFIG.bytesEntries));
      log(`bytes per nonce, ${b.id}: ${bytes.at(-1)?.bytes.toFixed(0) ?? '-'}`);
    }

    const { levels, rounds } = STORES_CONFIG;
    // samples[store][level] = ops/s per round; latencies[store][level] = every request's latency.
    const samples = backends.map(() => levels.map((): number[] => []));
    const latencies = backends.map(() => levels.map((): Float64Array[] => []));
    for (let round = -1; round < rounds; round++) {
      // Round -1 warms up every store and is not kept.
      for (const [li, c] of levels.entries()) {
        const n = round < 0 ? Math.ceil(STORES_CONFIG.requests[c]! / 4) : STORES_CONFIG.requests[c]!;
        for (let k = 0; k < backends.length; k++) {
          const i = (k + Math.max(round, 0) + li) % backends.length;
          const queue = presign(s, n);
          // As in the harness: the pre-signed batch leaves the young generation before its timer.
          minorGc();
          const { ns, latencies: lat } = await drive(verifiers[i]!, queue, c);
          if (round < 0) continue;
          samples[i]![li]!.push((n * 1e9) / ns);
          latencies[i]![li]!.push(lat);
        }
      }
      log(round < 0 ? 'warm-up round done' : `round ${round + 1}/${rounds}`);
    }
    const off = backends.findIndex((b) => b.id === 'off');
    const pct = (i: number, li: number, q: number): number => {
      const all = latencies[i]![li]!.flatMap((a) => Array.from(a));
      return quantile(all, q);
    };
    const stores: StoreResult[] = backends.map((b, i) => ({
      id: b.id,
      label: STORE_LABELS[b.id],
      note: b.note,
      ...(bytes[i] ? { bytesPerNonce: bytes[i]!.bytes, bytesMethod: bytes[i]!.method } : {}),
      levels: levels.map((c, li) => {
        const ratios = samples[i]![li]!.map((v, r) => v / samples[off]![li]![r]!);
        const p50 = pct(i, li, 0.5);
        const p99 = pct(i, li, 0.99);
        return {
          concurrency: c,
          opsPerSec: median(samples[i]![li]!),
          ratio: median(ratios),
          ratioMin: Math.min(...ratios),
          ratioMax: Math.max(...ratios),
          p50Us: p50,
          p99Us: p99,
          addedP50Us: p50 - pct(off, li, 0.5),
          addedP99Us: p99 - pct(off, li, 0.99),
        };
      }),
    }));
    const result: StoresResult = {
      scenario: s.title,
      rounds,
      requests: Object.fromEntries(levels.map((c) => [String(c), STORES_CONFIG.requests[c]!])),
      bytesEntries: STORES_CONFIG.bytesEntries,
      stores,
      skipped,
    };
    writeFileSync(out, JSON.stringify(result, null, 2));
  } finally {
    for (const b of backends) await b.close().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
