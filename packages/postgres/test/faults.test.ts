// PostgreSQL failures: every one rejects with nonce_store_unavailable (the
// verifier answers 503), quickly, and without carrying the nonce, the key id
// or a password along. Real clients, the real server, a real TCP proxy to
// cut, a real lock held by another session, a real read-only session.
import { inspect } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateNonce, isSigilError, type SigilError } from '@sigil/core';
import { PostgresNonceStore, type PostgresClient } from '@sigil/postgres';
import { freePort, TcpProxy } from '@sigil/store-contract';
import { createTable, DATABASE_URL, dropTable, pgClient, pgPool, pgUp, postgresJs, uniqueTable, urlWith } from './helpers/pg-env.js';

/** Far above any liveness bound below: only the failure itself can beat it. */
const NO_TIMEOUT = 30_000;
/** "Quickly": a hang check, not a benchmark (the fallback would take 30 s). */
const QUICK_MS = 5_000;
/** A key id and a password the errors must never show. */
const KEY_ID = 'tenant-7:billing';
const PASSWORD = `pw-${generateNonce()}`;

const future = () => Date.now() + 60_000;

async function rejection(promise: Promise<unknown>): Promise<{ error: SigilError; ms: number }> {
  const start = performance.now();
  const error = await promise.then(() => expect.unreachable('resolved'), (e: unknown) => e);
  expect(isSigilError(error, 'nonce_store_unavailable'), inspect(error)).toBe(true);
  expect((error as SigilError).status).toBe(503);
  return { error: error as SigilError, ms: performance.now() - start };
}

/** Everything an error could show through logs or serialisation. */
const dump = (error: unknown): string =>
  [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error), (error as Error).stack, ((error as Error).cause as Error | undefined)?.stack].join('\n');

function expectNoSecrets(error: SigilError, nonce: string): void {
  const text = dump(error);
  expect(text).not.toContain(nonce);
  expect(text).not.toContain(KEY_ID);
  expect(text).not.toContain(PASSWORD);
}

// Clients each test made, closed after it whatever state they are in.
const opened: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((end) => end().catch(() => {})));
});

type Connect = (url: string, options?: { readOnly?: boolean }) => Promise<PostgresClient>;
const clients: Record<string, Connect> = {
  'pg Pool': async (url, { readOnly } = {}) => {
    const pool = pgPool(url, readOnly ? { options: '-c default_transaction_read_only=on' } : {});
    opened.push(() => pool.end());
    return pool;
  },
  'postgres.js': async (url, { readOnly } = {}) => {
    const sql = postgresJs(url, readOnly ? { connection: { default_transaction_read_only: true } } : {});
    opened.push(() => sql.end({ timeout: 0 }));
    return sql;
  },
};

describe('a client pointed at a closed port', () => {
  for (const [name, connect] of Object.entries(clients)) {
    it(`${name}: rejects quickly, without the nonce, key id or password`, async () => {
      const client = await connect(urlWith({ port: await freePort(), password: PASSWORD }));
      const nonce = generateNonce();
      const { error, ms } = await rejection(new PostgresNonceStore({ client, timeoutMs: NO_TIMEOUT }).checkAndStore(KEY_ID, nonce, future()));
      expect(ms).toBeLessThan(QUICK_MS);
      expect((error.cause as Error).message).toMatch(/ECONNREFUSED|connect/i);
      expectNoSecrets(error, nonce);
      console.info(`[faults] server down, ${name}: rejected in ${ms.toFixed(0)} ms`);
    });
  }
});

describe.runIf(pgUp)('clients with default settings and a server that never answers', () => {
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('pg (no connectionTimeoutMillis) and postgres.js (30 s connect_timeout) are cut off by timeoutMs', async () => {
    proxy = await TcpProxy.start(DATABASE_URL, 5432);
    proxy.stalled = true; // TCP is accepted, the startup packet is swallowed
    const url = urlWith({ host: '127.0.0.1', port: proxy.port, password: PASSWORD });
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => {});
    const sql = postgres(url, { onnotice: () => {} });
    opened.push(() => pool.end(), () => sql.end({ timeout: 0 }));
    for (const client of [pool, sql] as PostgresClient[]) {
      const nonce = generateNonce();
      const { error } = await rejection(new PostgresNonceStore({ client, timeoutMs: 250 }).checkAndStore(KEY_ID, nonce, future()));
      expect(error.message).toMatch(/postgres did not answer within 250 ms/);
      expectNoSecrets(error, nonce);
    }
  });
});

describe.runIf(pgUp)('a connection lost mid-statement', () => {
  let admin: pg.Pool;
  let proxy: TcpProxy | undefined;
  const table = uniqueTable('faults');

  beforeAll(async () => {
    admin = pgPool();
    await createTable(admin, table);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  afterAll(async () => {
    await dropTable(admin, table);
    await admin?.end();
  });

  const proxied = async (connect: Connect) => {
    proxy = await TcpProxy.start(DATABASE_URL, 5432);
    return connect(urlWith({ host: '127.0.0.1', port: proxy.port, password: PASSWORD }));
  };

  for (const [name, connect] of Object.entries(clients)) {
    it(`${name}: a statement in flight and the ones after the cut reject quickly`, async () => {
      const store = new PostgresNonceStore({ client: await proxied(connect), table, timeoutMs: NO_TIMEOUT });
      expect(await store.checkAndStore(KEY_ID, generateNonce(), future())).toBe(true);

      proxy!.stalled = true; // the next statement reaches the proxy and stops there
      const nonce = generateNonce();
      const inFlight = rejection(store.checkAndStore(KEY_ID, nonce, future()));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await proxy!.close(); // the server is gone: connections cut, reconnects refused
      const cut = await inFlight;
      expect(cut.ms).toBeLessThan(QUICK_MS);
      expectNoSecrets(cut.error, nonce);
      const after = await rejection(store.checkAndStore(KEY_ID, nonce, future()));
      expect(after.ms).toBeLessThan(QUICK_MS);
      console.info(`[faults] connection cut, ${name}: in flight rejected ${cut.ms.toFixed(0)} ms after the stall, next call in ${after.ms.toFixed(0)} ms`);
    });

    it(`${name}: a server that stops answering is cut off by timeoutMs`, async () => {
      const store = new PostgresNonceStore({ client: await proxied(connect), table, timeoutMs: 200 });
      expect(await store.checkAndStore(KEY_ID, generateNonce(), future())).toBe(true);
      proxy!.stalled = true;
      const { error, ms } = await rejection(store.checkAndStore(KEY_ID, generateNonce(), future()));
      expect(error.message).toMatch(/postgres did not answer within 200 ms/);
      console.info(`[faults] stalled server, ${name}: rejected in ${ms.toFixed(0)} ms`);
    });
  }
});

describe.runIf(pgUp)('a row lock held by another session', () => {
  let admin: pg.Pool;
  let holder: pg.Client;
  const table = uniqueTable('locks');

  beforeAll(async () => {
    admin = pgPool();
    await createTable(admin, table);
    holder = await pgClient();
  });
  afterAll(async () => {
    await holder?.end();
    await dropTable(admin, table);
    await admin?.end();
  });

  /** Sessions of ours waiting on a lock, on this test's table. */
  const waiting = async (): Promise<number> => {
    const { rows } = await admin.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
      [`%${table}%`],
    );
    return Number(rows[0]!.n);
  };

  for (const [name, connect] of Object.entries(clients)) {
    it(`${name}: the check gives up within timeoutMs, fails closed, and the server stops waiting too`, async () => {
      const store = new PostgresNonceStore({ client: await connect(urlWith({ password: PASSWORD })), table, timeoutMs: 300 });
      const nonce = generateNonce();
      // Another session inserted the same pair and has not committed: the
      // check must wait for it to know whether the pair is taken.
      await holder.query('BEGIN');
      try {
        await holder.query(`INSERT INTO "${table}" (key_id, nonce, expires_at_ms) VALUES ($1, $2, $3)`, [KEY_ID, nonce, future()]);
        const { error, ms } = await rejection(store.checkAndStore(KEY_ID, nonce, future()));
        expect(ms).toBeLessThan(QUICK_MS);
        expectNoSecrets(error, nonce);
        // lock_timeout (set by the statement itself) ends the server-side
        // wait, so the connection returns to the pool instead of staying
        // blocked until the other session ends.
        const deadline = Date.now() + 2_000;
        let left = await waiting();
        while (left > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          left = await waiting();
        }
        expect(left, 'a session still waits on the lock').toBe(0);
        console.info(`[faults] row lock held, ${name}: rejected in ${ms.toFixed(0)} ms (${error.cause ? (error.cause as Error).message : error.message})`);
      } finally {
        await holder.query('ROLLBACK');
      }
      // The lock gone, the same pair is fresh: the refused check stored nothing.
      expect(await store.checkAndStore(KEY_ID, nonce, future())).toBe(true);
    });
  }
});

describe.runIf(pgUp)('a read-only session or role', () => {
  let admin: pg.Pool;
  const table = uniqueTable('readonly');
  const role = uniqueTable('role');

  beforeAll(async () => {
    admin = pgPool();
    await createTable(admin, table);
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    await admin.query(`ALTER ROLE "${role}" SET default_transaction_read_only = on`);
    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO "${role}"`);
  });
  afterAll(async () => {
    await dropTable(admin, table);
    await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    await admin?.end();
  });

  const cases = [
    ...Object.entries(clients).map(([name, connect]) => [`${name}, read-only session`, () => connect(urlWith({ password: PASSWORD }), { readOnly: true })] as const),
    ...Object.entries(clients).map(([name, connect]) => {
      const url = new URL(urlWith({ password: PASSWORD }));
      url.username = role;
      return [`${name}, read-only role`, () => connect(url.toString())] as const;
    }),
  ];

  for (const [name, connect] of cases) {
    it(`${name}: rejects quickly with the SQLSTATE, nothing stored`, async () => {
      const store = new PostgresNonceStore({ client: await connect(), table, timeoutMs: NO_TIMEOUT });
      const nonce = generateNonce();
      const { error, ms } = await rejection(store.checkAndStore(KEY_ID, nonce, future()));
      expect(ms).toBeLessThan(QUICK_MS);
      expect(error.cause).toMatchObject({ code: '25006' }); // read_only_sql_transaction
      expect((error.cause as Error).message).toMatch(/read-only transaction/);
      expectNoSecrets(error, nonce);
      expect((await admin.query(`SELECT 1 FROM "${table}" WHERE nonce = $1`, [nonce])).rowCount).toBe(0);
      console.info(`[faults] ${name}: rejected in ${ms.toFixed(0)} ms`);
    });
  }
});

describe.runIf(pgUp)('errors carry neither the row nor the parameters', () => {
  let admin: pg.Pool;
  const table = uniqueTable('secrets');

  beforeAll(async () => {
    admin = pgPool();
    await createTable(admin, table);
    // Every insert now fails, and PostgreSQL puts the failing row (key id,
    // nonce) in the error's `detail`.
    await admin.query(`ALTER TABLE "${table}" ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`);
  });
  afterAll(async () => {
    await dropTable(admin, table);
    await admin?.end();
  });

  for (const [name, connect] of Object.entries(clients)) {
    it(`${name}: the raw error holds the nonce, the store error does not`, async () => {
      const client = await connect(urlWith({ password: PASSWORD }));
      const nonce = generateNonce();
      const insert = `INSERT INTO "${table}" (key_id, nonce, expires_at_ms) VALUES ($1, $2, $3)`;
      const raw = await ('unsafe' in client
        ? client.unsafe(insert, [KEY_ID, nonce, String(future())] as never[])
        : client.query({ text: insert, values: [KEY_ID, nonce, future()] })
      ).then(() => expect.unreachable('inserted'), (e: unknown) => e);
      expect(dump(raw)).toContain(nonce); // why the store sanitises
      const { error } = await rejection(new PostgresNonceStore({ client, table }).checkAndStore(KEY_ID, nonce, future()));
      expect(error.cause).toMatchObject({ code: '23514' }); // check_violation
      expect(error.cause).not.toHaveProperty('detail');
      expect((error.cause as Error).cause).toBeUndefined();
      expectNoSecrets(error, nonce);
    });
  }
});
