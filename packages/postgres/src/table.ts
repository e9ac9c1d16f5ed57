import { SigilError } from '@sigil/core';

/**
 * Where the nonce table lives: `{ table }` or `{ schema, table }`.
 *
 * @example
 * const where: NonceTable = { schema: 'auth', table: 'sigil_nonces' };
 */
export interface NonceTable {
  /** Table name: 1 to 48 of `a-z 0-9 _`, not starting with a digit. Default `sigil_nonces`. */
  readonly table?: string;
  /** Schema name: 1 to 63 of `a-z 0-9 _`, not starting with a digit. Default: the connection's `search_path`. */
  readonly schema?: string;
}

/**
 * Default table name.
 *
 * @example
 * await pool.query(nonceTableSql()); // creates "sigil_nonces"
 */
export const DEFAULT_TABLE = 'sigil_nonces';

// Lowercase only, so the quoted name means what an operator types unquoted.
// 48 leaves room for the `_expiry` index suffix within PostgreSQL's 63 bytes.
const TABLE = /^[a-z_][a-z0-9_]{0,47}$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** The names, validated and quoted, and the expiry index's name. */
export interface QuotedTable {
  /** `"schema"."table"` or `"table"`. */
  readonly qualified: string;
  /** `"table_expiry"` (indexes live in the table's schema). */
  readonly index: string;
  /** The table name as given (for toJSON). */
  readonly name: string;
}

/**
 * Checks the names and quotes them. Anything outside the strict syntax
 * throws `invalid_option` naming the option, never echoing it: the names go
 * into SQL text, so this is the only thing between an option and injection.
 */
export function quoteTable(where: NonceTable = {}): QuotedTable {
  const table = where.table ?? DEFAULT_TABLE;
  if (typeof table !== 'string' || !TABLE.test(table)) {
    throw new SigilError('invalid_option', { detail: 'table: must be 1 to 48 of a-z 0-9 _, not starting with a digit' });
  }
  const schema = where.schema;
  if (schema !== undefined && (typeof schema !== 'string' || !SCHEMA.test(schema))) {
    throw new SigilError('invalid_option', { detail: 'schema: must be 1 to 63 of a-z 0-9 _, not starting with a digit' });
  }
  const qualified = schema === undefined ? `"${table}"` : `"${schema}"."${table}"`;
  return { qualified, index: `"${table}_expiry"`, name: table };
}

/**
 * The migration: SQL that creates the nonce table and its expiry index if
 * they are missing (idempotent; run it from your migration tool or once by
 * hand). Throws `invalid_option` for a table or schema name outside
 * `a-z 0-9 _`.
 *
 * - `key_id` and `nonce` are `text COLLATE "C"`: compared byte for byte, so
 *   no collation folds case or ignores padding, and `text` never pads.
 * - `expires_at_ms` is the verifier's expiry in milliseconds since the epoch
 *   (`bigint`: exact, no time zone, no float rounding).
 * - the primary key `(key_id, nonce)` is what `ON CONFLICT` checks against;
 *   the index on `expires_at_ms` keeps each purge batch an index range scan.
 *
 * @example
 * import { nonceTableSql } from '@sigil/postgres';
 * await pool.query(nonceTableSql({ schema: 'auth', table: 'sigil_nonces' }));
 */
export function nonceTableSql(where: NonceTable = {}): string {
  const { qualified, index } = quoteTable(where);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified} (`,
    '  key_id        text COLLATE "C" NOT NULL,',
    '  nonce         text COLLATE "C" NOT NULL,',
    '  expires_at_ms bigint NOT NULL,',
    '  PRIMARY KEY (key_id, nonce)',
    ');',
    `CREATE INDEX IF NOT EXISTS ${index} ON ${qualified} (expires_at_ms);`,
    '',
  ].join('\n');
}
