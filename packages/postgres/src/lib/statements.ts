import type { QuotedTable } from '../table.js';

/**
 * The check-and-store, one statement:
 * - a new pair is inserted: one row returned (fresh);
 * - a pair already there is updated only if it expired by the verifier's
 *   clock ($4): one row returned (fresh again, the expiry moved on);
 * - a live pair matches `ON CONFLICT` and fails the `WHERE`: no row (replay).
 * Concurrent callers with one pair serialise on its primary-key entry; under
 * READ COMMITTED the `WHERE` is re-checked against the winner's row, so only
 * one of them gets a row back.
 *
 * The `FROM (SELECT set_config(...))` sets `lock_timeout` for this statement
 * only (`is_local`: the implicit transaction is the statement), before the
 * insert can wait on a row another session holds: the server gives up on a
 * held lock within timeoutMs ($5), which frees the connection, instead of
 * leaving it blocked after the client-side timeout.
 */
export function checkSql(table: QuotedTable): string {
  return [
    `INSERT INTO ${table.qualified} AS t (key_id, nonce, expires_at_ms)`,
    `SELECT $1::text, $2::text, $3::bigint FROM (SELECT set_config('lock_timeout', $5::text, true) AS lock_timeout) AS s`,
    'WHERE s.lock_timeout IS NOT NULL',
    'ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at_ms = EXCLUDED.expires_at_ms',
    'WHERE t.expires_at_ms <= $4::bigint',
    'RETURNING 1',
  ].join('\n');
}

/**
 * One bounded purge batch: at most $2 rows whose expiry is at or before $1.
 * `SKIP LOCKED` passes over a row a concurrent check is re-using; the outer
 * `expires_at_ms <= $1` is re-checked on the row's latest version, so a row
 * re-used between the two scans is never deleted.
 */
export function purgeSql(table: QuotedTable): string {
  return [
    `DELETE FROM ${table.qualified}`,
    `WHERE ctid IN (SELECT ctid FROM ${table.qualified} WHERE expires_at_ms <= $1::bigint LIMIT $2::int FOR UPDATE SKIP LOCKED)`,
    'AND expires_at_ms <= $1::bigint',
  ].join('\n');
}
