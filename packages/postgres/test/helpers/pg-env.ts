// Where the tests find PostgreSQL, and what they do when it is not there:
// skip loudly on a developer machine, fail under CI=true. Every test gets a
// table of its own, so parallel runs never collide.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import postgres from 'postgres';
import { requireService } from '@sigil/store-contract';
import { nonceTableSql } from '@sigil/postgres';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when PostgreSQL answers at DATABASE_URL; under CI=true, false is an error. */
export const pgUp = await requireService({
  suite: '@sigil/postgres',
  service: 'PostgreSQL',
  url: DATABASE_URL,
  defaultPort: 5432,
  start: ['pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', '(or set DATABASE_URL)'],
});

/** A table name no other run or test uses (a-z 0-9 _, at most 48). */
export const uniqueTable = (label = 'test'): string => `sigil_t_${label}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;

/** DATABASE_URL with a password and other connection settings swapped in. */
export function urlWith(changes: { host?: string; port?: number; password?: string } = {}): string {
  const url = new URL(DATABASE_URL);
  if (changes.host !== undefined) url.hostname = changes.host;
  if (changes.port !== undefined) url.port = String(changes.port);
  if (changes.password !== undefined) url.password = changes.password;
  return url.toString();
}

/** A pg Pool that fails fast (what the README recommends), its idle errors swallowed. */
export function pgPool(connectionString = DATABASE_URL, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 2_000, ...options });
  pool.on('error', () => {}); // an idle client's error: reported through the next query
  return pool;
}

/** A connected pg Client. */
export async function pgClient(connectionString = DATABASE_URL, options: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000, ...options });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A postgres.js sql that fails fast, its notices silenced. */
export function postgresJs(url = DATABASE_URL, options: postgres.Options<Record<string, never>> = {}) {
  return postgres(url, { max: 10, connect_timeout: 2, onnotice: () => {}, ...options });
}

/** Creates `table` with the migration SQL the package exports. */
export async function createTable(admin: pg.Pool, table: string): Promise<void> {
  await admin.query(nonceTableSql({ table }));
}

/** Drops `table` if it is there. */
export async function dropTable(admin: pg.Pool, table: string): Promise<void> {
  await admin.query(`DROP TABLE IF EXISTS "${table}"`);
}

/** Rows in `table`. */
export async function countRows(admin: pg.Pool, table: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
  return Number(rows[0]!.n);
}
