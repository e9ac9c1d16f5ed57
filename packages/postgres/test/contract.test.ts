// The shared NonceStore contract, run against the real PostgreSQL through
// every supported client: a pg Pool, a single pg Client and postgres.js. Each
// check gets a table of its own, created with nonceTableSql() and dropped
// after it.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresNonceStore, type PostgresClient } from '@sigil/postgres';
import { nonceStoreContract } from '@sigil/store-contract';
import { createTable, dropTable, pgClient, pgPool, pgUp, postgresJs, uniqueTable } from './helpers/pg-env.js';

describe.runIf(pgUp)('PostgresNonceStore against a real PostgreSQL', () => {
  let admin: pg.Pool;
  let pool: pg.Pool;
  let client: pg.Client;
  let sql: ReturnType<typeof postgresJs>;
  const tables: string[] = [];

  beforeAll(async () => {
    admin = pgPool();
    // pg counts a call's wait for a free pooled connection against
    // connectionTimeoutMillis: 200 calls queued on 10 connections need the
    // same generous bound as the store's timeoutMs (a 2 s wait ran out once
    // under CI, with the other vitest worker busy).
    pool = pgPool(undefined, { connectionTimeoutMillis: 15_000 });
    client = await pgClient(undefined, { connectionTimeoutMillis: 15_000 });
    sql = postgresJs();
  });

  afterAll(async () => {
    // Every check drops its table; this catches any that did not.
    const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_tables WHERE tablename = ANY($1)', [tables]);
    for (const table of tables) await dropTable(admin, table);
    await Promise.all([admin?.end(), pool?.end(), client?.end(), sql?.end()]);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  // The contract counts answers, and the 200-call checks queue on 10
  // connections (on one, for a pg Client) of a shared 2-core machine: a
  // generous bound keeps a slow moment from turning into a timeout. The
  // fault tests hold the store to short ones.
  const make = (of: () => PostgresClient, label: string) => async () => {
    const table = uniqueTable(label);
    tables.push(table);
    await createTable(admin, table);
    return { store: new PostgresNonceStore({ client: of(), table, timeoutMs: 15_000 }), cleanup: () => dropTable(admin, table) };
  };

  nonceStoreContract('PostgresNonceStore (pg Pool)', make(() => pool, 'pool'));
  nonceStoreContract('PostgresNonceStore (pg Client)', make(() => client, 'client'));
  nonceStoreContract('PostgresNonceStore (postgres.js)', make(() => sql, 'pgjs'));

  it('runs the contract on clients the store did not close', async () => {
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });
});
