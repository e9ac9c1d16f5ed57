import { SigilError } from '@sigil/core';
import { describeIssue, parseOptions } from '@sigil/core/options';
import * as z from 'zod/mini';

/**
 * The part of a node-postgres (`pg`) `Pool`, `PoolClient` or `Client` the
 * store uses.
 *
 * @example
 * import pg from 'pg';
 * const client: PgClient = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface PgClient {
  query(config: { text: string; values: unknown[] }): Promise<{ rowCount: number | null }>;
}

/**
 * The part of a postgres.js (`postgres`, porsager) `sql` instance the store
 * uses: `sql.unsafe(text, parameters)`.
 *
 * @example
 * import postgres from 'postgres';
 * const client: PostgresJsClient = postgres(process.env.DATABASE_URL!);
 */
export interface PostgresJsClient {
  unsafe(query: string, parameters?: never[]): PromiseLike<{ readonly count: number }>;
}

/**
 * Either supported client, told apart by shape: postgres.js is a function
 * with `unsafe`, node-postgres an object with `query`.
 *
 * @example
 * const client: PostgresClient = usePg ? new pg.Pool() : postgres(url);
 */
export type PostgresClient = PgClient | PostgresJsClient;

/**
 * Options of `new PostgresNonceStore(options)`.
 *
 * @example
 * const options: PostgresNonceStoreOptions = { client: pool, table: 'sigil_nonces', purgeIntervalMs: 60_000 };
 */
export interface PostgresNonceStoreOptions {
  /**
   * A `pg` Pool (or Client) or a postgres.js `sql`. The store never
   * connects, configures or closes it. Give it a pool of its own (see README).
   */
  readonly client: PostgresClient;
  /** Table name, `a-z 0-9 _`. Default `sigil_nonces`. Create it with `nonceTableSql()`. */
  readonly table?: string;
  /** Schema of the table, `a-z 0-9 _`. Default: the connection's `search_path`. */
  readonly schema?: string;
  /**
   * Upper bound, in milliseconds, on one statement. Past it the call rejects
   * with `nonce_store_unavailable` whatever the client does; it is also the
   * statement's `lock_timeout` on the server. Default 1000.
   */
  readonly timeoutMs?: number;
  /**
   * Run `purgeExpired()` every this many milliseconds (an unref'd timer that
   * `close()` stops). Off by default: run it in one instance, or from cron.
   */
  readonly purgeIntervalMs?: number;
  /** Rows one purge statement deletes at most. Default 1000. */
  readonly purgeBatchSize?: number;
  /**
   * A row is purged only this long after its expiry, by this process's
   * clock. Keep it above the worst clock difference between the instances
   * sharing the table. Default 60,000.
   */
  readonly purgeDelayMs?: number;
  /** Milliseconds since the epoch: the verifier's clock. Default `Date.now`. */
  readonly clock?: () => number;
  /** Told when a timed purge fails. Never given a nonce, key id or password. */
  readonly onEvent?: (event: PostgresNonceStoreEvent) => void;
}

/**
 * What the store reports through `onEvent`.
 *
 * @example
 * new PostgresNonceStore({ client, purgeIntervalMs: 60_000, onEvent: (e) => log.warn(e, 'sigil postgres store') });
 */
export type PostgresNonceStoreEvent =
  | {
      /** A timed purge deleted rows. */
      readonly type: 'purged';
      readonly rows: number;
    }
  | {
      /** A timed purge failed; the next tick tries again. */
      readonly type: 'purge_failed';
      /** The failure, sanitised. */
      readonly reason: string;
    };

/**
 * Default upper bound on one statement, in milliseconds.
 *
 * @example
 * new PostgresNonceStore({ client, timeoutMs: DEFAULT_TIMEOUT_MS / 2 });
 */
export const DEFAULT_TIMEOUT_MS = 1000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null;

const fn = <T>() => z.custom<T>((v) => typeof v === 'function', { message: 'expected a function' });

const optionsSchema = z.strictObject({
  client: z.custom<PostgresClient>(
    (value) => isObject(value) && (typeof value.unsafe === 'function' || typeof value.query === 'function'),
    { message: 'must be a pg Pool or Client, or a postgres.js sql' },
  ),
  // Shape only here; quoteTable() checks the syntax with its own message.
  table: z.optional(z.string()),
  schema: z.optional(z.string()),
  timeoutMs: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(60_000)), DEFAULT_TIMEOUT_MS),
  purgeIntervalMs: z.optional(z.number().check(z.int(), z.minimum(1000), z.maximum(86_400_000))),
  purgeBatchSize: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(100_000)), 1000),
  purgeDelayMs: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(86_400_000)), 60_000),
  clock: z._default(fn<() => number>(), () => Date.now),
  onEvent: z.optional(fn<(event: PostgresNonceStoreEvent) => void>()),
});

/** Options after validation, defaults applied. */
export type ResolvedOptions = z.output<typeof optionsSchema>;

/**
 * Validates the options once, at construction. Throws `invalid_option`
 * naming the first bad option; never echoes a received value.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = parseOptions(optionsSchema, options);
  if (parsed.success) return parsed.data;
  throw new SigilError('invalid_option', { detail: describeIssue(parsed.error, 'options') });
}
