import { isSigilError, SigilError } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { checkNonceArguments, sanitizedCause, storeUnavailable, withTimeout } from '@sigil/verify/store';
import { runner, type Run } from './lib/run.js';
import { checkSql, purgeSql } from './lib/statements.js';
import { resolveOptions, type PostgresNonceStoreEvent, type PostgresNonceStoreOptions } from './options.js';
import { quoteTable } from './table.js';

// Key ids are not secrets, but errors leave them out too. One shorter than
// this would cut letters out of every message instead.
const REDACT_MIN = 3;

/**
 * A NonceStore in a PostgreSQL table, shared by every server instance that
 * uses the same table. One statement per check:
 *
 * ```sql
 * INSERT INTO sigil_nonces AS t (key_id, nonce, expires_at_ms) VALUES (...)
 * ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms
 * WHERE t.expires_at_ms <= <now by the verifier's clock>
 * RETURNING 1
 * ```
 *
 * A row back means first use (or re-use after expiry); none means replay.
 * Expiry is judged by the verifier's clock (`clock`, default `Date.now`),
 * the clock that computed `expiresAtMs` and judges the timestamp window: the
 * database's `now()` is never consulted. Expired rows stay until
 * `purgeExpired()` (or `purgeIntervalMs`) deletes them in bounded batches.
 *
 * Any database failure, a timeout or an unexpected reply rejects with
 * `SigilError('nonce_store_unavailable')` (503: the verifier fails closed),
 * with a sanitised cause: no nonce, key id, parameter, `detail` or
 * connection string travels with it.
 *
 * @example
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2_000 });
 * await pool.query(nonceTableSql());
 * const store = new PostgresNonceStore({ client: pool, purgeIntervalMs: 60_000 });
 * await store.checkAndStore('client-1', nonce, Date.now() + 301_000); // true, then false
 */
export class PostgresNonceStore implements NonceStore {
  /** The table name in use (unqualified). */
  readonly table: string;
  // Private fields: util.inspect and JSON.stringify never reach the client,
  // whose options hold the connection string.
  readonly #run: Run;
  readonly #checkSql: string;
  readonly #purgeSql: string;
  readonly #timeoutMs: number;
  readonly #batch: number;
  readonly #purgeDelayMs: number;
  readonly #clock: () => number;
  readonly #onEvent: ((event: PostgresNonceStoreEvent) => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #purging = false;
  #closed = false;

  /** Throws `SigilError('invalid_option')` naming the bad option. */
  constructor(options: PostgresNonceStoreOptions) {
    const resolved = resolveOptions(options);
    const table = quoteTable({ table: resolved.table, schema: resolved.schema });
    this.table = table.name;
    this.#checkSql = checkSql(table);
    this.#purgeSql = purgeSql(table);
    this.#timeoutMs = resolved.timeoutMs;
    this.#batch = resolved.purgeBatchSize;
    this.#purgeDelayMs = resolved.purgeDelayMs;
    this.#clock = resolved.clock;
    this.#onEvent = resolved.onEvent;
    this.#run = runner(resolved.client);
    if (resolved.purgeIntervalMs !== undefined) {
      this.#timer = setInterval(() => void this.#tick(), resolved.purgeIntervalMs);
      this.#timer.unref?.();
    }
  }

  /**
   * Records `(keyId, nonce)` until `expiresAtMs` unless it is there and
   * live. Resolves true on first use, false on replay. Rejects with
   * `invalid_option` on bad arguments (a past `expiresAtMs` included) before
   * any statement, and with `nonce_store_unavailable` on any failure.
   *
   * @example
   * const fresh = await store.checkAndStore(params.keyId, params.nonce, (params.timestamp + 301) * 1000);
   * if (!fresh) return reply(401, 'nonce_replayed');
   */
  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const now = this.#clock();
    const at = checkNonceArguments(keyId, nonce, expiresAtMs, now);
    if (this.#closed) throw storeUnavailable('the store is closed');
    const rows = await this.#statement(
      this.#checkSql,
      [keyId, nonce, String(at), String(Math.floor(now)), String(this.#timeoutMs)],
      [nonce, ...(keyId.length >= REDACT_MIN ? [keyId] : [])],
    );
    if (rows === 1) return true;
    if (rows === 0) return false;
    throw storeUnavailable('unexpected reply from postgres');
  }

  /**
   * Deletes rows that expired at least `purgeDelayMs` ago (by this store's
   * clock), in batches of `purgeBatchSize`, each its own short statement,
   * until a batch comes back short or `maxBatches` ran. Never deletes a
   * row before its expiry. Resolves with the number of rows deleted; rejects
   * with `nonce_store_unavailable` on a failure (`invalid_option` for a bad
   * `maxBatches`).
   *
   * @example
   * // from a cron job, or let purgeIntervalMs call it
   * const deleted = await store.purgeExpired({ maxBatches: 50 });
   */
  async purgeExpired(options: { maxBatches?: number } = {}): Promise<number> {
    const maxBatches = options.maxBatches ?? 100;
    if (!Number.isInteger(maxBatches) || maxBatches < 1 || maxBatches > 1_000_000) {
      throw new SigilError('invalid_option', { detail: 'maxBatches: must be an integer from 1 to 1,000,000' });
    }
    if (this.#closed) throw storeUnavailable('the store is closed');
    const cutoff = String(Math.floor(this.#clock() - this.#purgeDelayMs));
    let deleted = 0;
    for (let i = 0; i < maxBatches; i++) {
      const rows = await this.#statement(this.#purgeSql, [cutoff, String(this.#batch)], []);
      deleted += rows;
      if (rows < this.#batch) break;
    }
    return deleted;
  }

  /**
   * Stops the purge timer; later calls reject with `nonce_store_unavailable`.
   * Does not close the client, which belongs to the caller.
   *
   * @example
   * await store.close();
   * await pool.end();
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Only the table name: the client is never serialised. */
  toJSON(): { table: string } {
    return { table: this.table };
  }

  async #statement(text: string, values: string[], secrets: string[]): Promise<number> {
    try {
      return await withTimeout(this.#run(text, values), this.#timeoutMs, 'postgres');
    } catch (error) {
      if (isSigilError(error, 'nonce_store_unavailable')) throw error;
      // pg errors carry `detail` (the row's values), `where`, the query and
      // its parameters; postgres.js ones `query` and `parameters`. Only the
      // message and the SQLSTATE code survive, with the nonce cut out.
      throw storeUnavailable('the postgres statement failed', sanitizedCause(error, secrets));
    }
  }

  async #tick(): Promise<void> {
    if (this.#purging || this.#closed) return;
    this.#purging = true;
    try {
      const rows = await this.purgeExpired();
      if (rows > 0) this.#report({ type: 'purged', rows });
    } catch (error) {
      this.#report({ type: 'purge_failed', reason: sanitizedCause(isSigilError(error) && error.cause instanceof Error ? error.cause : error).message });
    } finally {
      this.#purging = false;
    }
  }

  #report(event: PostgresNonceStoreEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // A failing hook must not break the timer.
    }
  }
}
