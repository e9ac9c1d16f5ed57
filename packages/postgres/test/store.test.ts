// PostgresNonceStore beyond the shared contract: options, table names that
// could inject SQL, the migration, purging (bounded, never early), both
// clients sharing one table, close(), and what it shows when inspected.
import { inspect } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNonce, isSigilError } from '@sigil/core';
import { DEFAULT_TABLE, nonceTableSql, PostgresNonceStore, type PostgresNonceStoreEvent, type PostgresNonceStoreOptions } from '@sigil/postgres';
import { countRows, createTable, DATABASE_URL, dropTable, pgPool, pgUp, postgresJs, uniqueTable } from './helpers/pg-env.js';

const future = (ms = 60_000) => Date.now() + ms;
const fakeClient = { query: async () => ({ rowCount: 1 }) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function invalidOption(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(isSigilError(error, 'invalid_option'), String(error)).toBe(true);
    return (error as Error).message;
  }
  return expect.unreachable('accepted');
}
const invalidStore = (options: unknown) => invalidOption(() => new PostgresNonceStore(options as PostgresNonceStoreOptions));

describe('options are validated at construction', () => {
  it('names the bad option', () => {
    expect(invalidStore(undefined)).toMatch(/options/);
    expect(invalidStore({})).toMatch(/client/);
    expect(invalidStore({ client: { get: () => 1 } })).toMatch(/client: must be a pg Pool or Client, or a postgres.js sql/);
    expect(invalidStore({ client: fakeClient, timeout: 100 })).toMatch(/Unrecognized key.*timeout/); // a typo
    for (const timeoutMs of [0, -1, 1.5, 60_001, '100', Number.NaN]) {
      expect(invalidStore({ client: fakeClient, timeoutMs }), String(timeoutMs)).toMatch(/timeoutMs/);
    }
    expect(invalidStore({ client: fakeClient, purgeIntervalMs: 10 })).toMatch(/purgeIntervalMs/);
    expect(invalidStore({ client: fakeClient, purgeBatchSize: 0 })).toMatch(/purgeBatchSize/);
    expect(invalidStore({ client: fakeClient, purgeDelayMs: -1 })).toMatch(/purgeDelayMs/);
    expect(invalidStore({ client: fakeClient, clock: 5 })).toMatch(/clock/);
    expect(invalidStore({ client: fakeClient, onEvent: 'log' })).toMatch(/onEvent/);
  });

  it('tells the clients apart by shape: postgres.js by unsafe, pg by query', async () => {
    const seen: string[] = [];
    const pgShape = { query: async (config: { text: string }) => (seen.push(`pg:${config.text.slice(0, 6)}`), { rowCount: 1 }) };
    const jsShape = Object.assign(() => undefined, { unsafe: async (text: string) => (seen.push(`js:${text.slice(0, 6)}`), { count: 0 }) });
    expect(await new PostgresNonceStore({ client: pgShape }).checkAndStore('k', generateNonce(), future())).toBe(true);
    expect(await new PostgresNonceStore({ client: jsShape }).checkAndStore('k', generateNonce(), future())).toBe(false);
    expect(seen).toEqual(['pg:INSERT', 'js:INSERT']);
  });

  it('fails closed on a reply it does not understand', async () => {
    for (const client of [{ query: async () => ({ rowCount: 2 }) }, { query: async () => ({}) }, { query: async () => undefined }]) {
      const error = await new PostgresNonceStore({ client: client as never }).checkAndStore('k', generateNonce(), future()).catch((e: unknown) => e);
      expect(isSigilError(error, 'nonce_store_unavailable'), String(error)).toBe(true);
    }
  });
});

describe('table or schema names that would inject SQL are refused', () => {
  const attempts = [
    'nonces; DROP TABLE users; --',
    'nonces"; DROP TABLE users; --',
    'public.nonces', // a dot: the schema has its own option
    'Nonces', // quoted, upper case would be another table than the unquoted name
    'nonces ',
    '1nonces',
    '',
    'n'.repeat(49),
    'nonçes',
    'nonces\0',
  ];

  it('refuses each one as a table, in the store and the migration, without echoing it', () => {
    for (const table of attempts) {
      const message = invalidStore({ client: fakeClient, table });
      expect(message, JSON.stringify(table)).toMatch(/table: must be 1 to 48 of a-z 0-9 _/);
      if (table.trim().length >= 3) expect(message).not.toContain(table);
      expect(invalidOption(() => nonceTableSql({ table })), JSON.stringify(table)).toMatch(/table:/);
    }
  });

  it('refuses each one as a schema', () => {
    for (const schema of attempts.filter((a) => a.length <= 48)) {
      expect(invalidStore({ client: fakeClient, schema }), JSON.stringify(schema)).toMatch(/schema: must be 1 to 63/);
      expect(invalidOption(() => nonceTableSql({ schema })), JSON.stringify(schema)).toMatch(/schema:/);
    }
    expect(invalidStore({ client: fakeClient, table: 7 })).toMatch(/table/);
  });

  it('quotes the names it accepts', () => {
    expect(nonceTableSql()).toContain(`CREATE TABLE IF NOT EXISTS "${DEFAULT_TABLE}" (`);
    const sql = nonceTableSql({ schema: 'auth', table: 'api_nonces' });
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "auth"."api_nonces" (');
    expect(sql).toContain('CREATE INDEX IF NOT EXISTS "api_nonces_expiry" ON "auth"."api_nonces" (expires_at_ms);');
  });
});

describe.runIf(pgUp)('the table and the store on a real PostgreSQL', () => {
  let admin: pg.Pool;
  let pool: pg.Pool;
  let sql: ReturnType<typeof postgresJs>;
  const tables: string[] = [];
  const schema = uniqueTable('schema');

  const table = async (label: string) => {
    const name = uniqueTable(label);
    tables.push(name);
    await createTable(admin, name);
    return name;
  };

  beforeAll(async () => {
    admin = pgPool();
    pool = pgPool();
    sql = postgresJs();
  });
  afterAll(async () => {
    for (const name of tables) await dropTable(admin, name);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await Promise.all([admin?.end(), pool?.end(), sql?.end()]);
  });

  it('the migration is idempotent and compares keys byte for byte (COLLATE "C", text)', async () => {
    const name = await table('migration');
    await admin.query(nonceTableSql({ table: name })); // again: no error
    const { rows } = await admin.query<{ column_name: string; data_type: string; collation_name: string | null }>(
      'SELECT column_name, data_type, collation_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [name],
    );
    expect(rows).toEqual([
      { column_name: 'key_id', data_type: 'text', collation_name: 'C' },
      { column_name: 'nonce', data_type: 'text', collation_name: 'C' },
      { column_name: 'expires_at_ms', data_type: 'bigint', collation_name: null },
    ]);
  });

  it('works in a schema of its own', async () => {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(nonceTableSql({ schema, table: 'nonces' }));
    const store = new PostgresNonceStore({ client: pool, schema, table: 'nonces' });
    const nonce = generateNonce();
    expect(await store.checkAndStore('k', nonce, future())).toBe(true);
    expect(await store.checkAndStore('k', nonce, future())).toBe(false);
    expect((await admin.query(`SELECT 1 FROM "${schema}"."nonces" WHERE nonce = $1`, [nonce])).rowCount).toBe(1);
  });

  it('a missing table fails closed with the SQLSTATE', async () => {
    const error = await new PostgresNonceStore({ client: pool, table: uniqueTable('missing') }).checkAndStore('k', generateNonce(), future()).catch((e: unknown) => e);
    expect(isSigilError(error, 'nonce_store_unavailable'), String(error)).toBe(true);
    expect((error as Error).cause).toMatchObject({ code: '42P01' }); // undefined_table
  });

  it('pg and postgres.js share one table: a pair stored through one is a replay through the other', async () => {
    const name = await table('shared');
    const viaPg = new PostgresNonceStore({ client: pool, table: name });
    const viaJs = new PostgresNonceStore({ client: sql, table: name });
    const a = generateNonce();
    const b = generateNonce();
    expect(await viaPg.checkAndStore('k', a, future())).toBe(true);
    expect(await viaJs.checkAndStore('k', a, future())).toBe(false);
    expect(await viaJs.checkAndStore('k', b, future())).toBe(true);
    expect(await viaPg.checkAndStore('k', b, future())).toBe(false);
  });

  it('re-uses an expired row in place (the DO UPDATE path), judged by the store clock', async () => {
    const name = await table('reuse');
    let now = Date.now();
    const store = new PostgresNonceStore({ client: pool, table: name, clock: () => now });
    const nonce = generateNonce();
    expect(await store.checkAndStore('k', nonce, now + 1_000)).toBe(true);
    now += 999;
    expect(await store.checkAndStore('k', nonce, now + 1_000)).toBe(false); // 1 ms before its expiry
    now += 1;
    expect(await store.checkAndStore('k', nonce, now + 5_000)).toBe(true); // at its expiry: forgotten
    const { rows } = await admin.query<{ expires_at_ms: string }>(`SELECT expires_at_ms FROM "${name}"`);
    expect(rows).toEqual([{ expires_at_ms: String(now + 5_000) }]); // one row, the new expiry
    // The database's own clock plays no part: a store clock a year ahead
    // still refuses a replay of a pair it stored.
    now += 365 * 86_400_000;
    expect(await store.checkAndStore('k', nonce, now + 1_000)).toBe(true);
    expect(await store.checkAndStore('k', nonce, now + 1_000)).toBe(false);
  });

  it('purges in bounded batches, only rows past expiry + purgeDelayMs, never a live one', async () => {
    const name = await table('purge');
    let now = Date.now();
    const store = new PostgresNonceStore({ client: pool, table: name, clock: () => now, purgeBatchSize: 7, purgeDelayMs: 1_000 });
    const expired = Array.from({ length: 30 }, () => generateNonce());
    const live = Array.from({ length: 5 }, () => generateNonce());
    for (const nonce of expired) await store.checkAndStore('k', nonce, now + 100);
    for (const nonce of live) await store.checkAndStore('k', nonce, now + 60_000);

    now += 500; // expired, but within purgeDelayMs
    expect(await store.purgeExpired()).toBe(0);
    now += 600; // 1,000 ms past the expiry of the first 30
    expect(await store.purgeExpired({ maxBatches: 2 })).toBe(14); // two batches of 7
    expect(await countRows(admin, name)).toBe(21);
    expect(await store.purgeExpired()).toBe(16); // the rest: 7 + 7 + 2, then a short batch ends it
    expect(await countRows(admin, name)).toBe(5);
    for (const nonce of live) expect(await store.checkAndStore('k', nonce, now + 60_000)).toBe(false);
    const bad = await store.purgeExpired({ maxBatches: 0 }).catch((e: unknown) => e);
    expect(isSigilError(bad, 'invalid_option') && (bad as Error).message).toMatch(/maxBatches/);
  });

  it('purges through postgres.js too', async () => {
    const name = await table('purgejs');
    let now = Date.now();
    const store = new PostgresNonceStore({ client: sql, table: name, clock: () => now, purgeDelayMs: 0 });
    for (let i = 0; i < 3; i++) await store.checkAndStore('k', generateNonce(), now + 100);
    now += 100;
    expect(await store.purgeExpired()).toBe(3);
  });

  it('purgeIntervalMs runs the purge on an unref\'d timer, reports it, and close() stops it', async () => {
    const name = await table('interval');
    const events: PostgresNonceStoreEvent[] = [];
    const store = new PostgresNonceStore({ client: pool, table: name, purgeIntervalMs: 1_000, purgeDelayMs: 0, onEvent: (e) => events.push(e) });
    await store.checkAndStore('k', generateNonce(), Date.now() + 50);
    const deadline = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < deadline) await sleep(100);
    expect(events).toEqual([{ type: 'purged', rows: 1 }]);
    await store.close();
    const closed = await store.checkAndStore('k', generateNonce(), future()).catch((e: unknown) => e);
    expect(isSigilError(closed, 'nonce_store_unavailable')).toBe(true);
    await admin.query(`INSERT INTO "${name}" VALUES ('k', 'x', 1)`);
    await sleep(1_500);
    expect(await countRows(admin, name)).toBe(1); // no tick after close()
    expect(events).toHaveLength(1);
  });

  it('a failing timed purge is reported, sanitised, and the timer keeps going', async () => {
    const events: PostgresNonceStoreEvent[] = [];
    const store = new PostgresNonceStore({ client: pool, table: uniqueTable('gone'), purgeIntervalMs: 1_000, onEvent: (e) => events.push(e) });
    const deadline = Date.now() + 5_000;
    while (events.length < 2 && Date.now() < deadline) await sleep(100);
    await store.close();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({ type: 'purge_failed', reason: expect.stringMatching(/does not exist/) });
  });

  it('shows only its table name when inspected or serialised', () => {
    const store = new PostgresNonceStore({ client: pgPool(DATABASE_URL.replace('postgres@', 'postgres:hunter2-secret@')), table: 'sigil_nonces' });
    expect(JSON.stringify(store)).toBe('{"table":"sigil_nonces"}');
    expect(inspect(store, { depth: Infinity, showHidden: true })).not.toContain('hunter2-secret');
  });
});
