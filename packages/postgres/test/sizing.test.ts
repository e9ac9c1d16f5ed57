// Bytes per live nonce in the table nonceTableSql() creates, as the README
// reports them: pg_total_relation_size (heap + primary key + expiry index +
// TOAST) over 100,000 rows with 8-character key ids and 22-character nonces,
// inserted in random nonce order as a verifier would. Size, not speed: the
// bound fails when the layout grows (a wider type, another index).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonceTableSql } from '@sigil/postgres';
import { dropTable, pgPool, pgUp, uniqueTable } from './helpers/pg-env.js';

const ROWS = 100_000;

describe.runIf(pgUp)('table size per live nonce', () => {
  let admin: pg.Pool;
  const table = uniqueTable('sizing');

  beforeAll(async () => {
    admin = pgPool();
    await admin.query(nonceTableSql({ table }));
  });
  afterAll(async () => {
    await dropTable(admin, table);
    await admin?.end();
  });

  it(`stays between 120 and 200 bytes per row over ${ROWS.toLocaleString('en')} rows`, async () => {
    // A 22-character base64url nonce (128 random bits) per row.
    await admin.query(
      `INSERT INTO "${table}" (key_id, nonce, expires_at_ms)
       SELECT 'client-' || (g % 10), substr(translate(encode(decode(md5(random()::text || g), 'hex'), 'base64'), '+/=', '-_'), 1, 22), 1800000000000 + g
       FROM generate_series(1, $1::int) AS g`,
      [ROWS],
    );
    await admin.query(`VACUUM ANALYZE "${table}"`);
    const { rows } = await admin.query<Record<'total' | 'heap' | 'pkey' | 'expiry', string>>(
      `SELECT pg_total_relation_size($1) AS total, pg_relation_size($1) AS heap,
              pg_relation_size($2) AS pkey, pg_relation_size($3) AS expiry`,
      [`"${table}"`, `"${table}_pkey"`, `"${table}_expiry"`],
    );
    const per = (name: keyof (typeof rows)[0]) => Number(rows[0]![name]) / ROWS;
    console.info(
      `[sizing] ${per('total').toFixed(1)} bytes per live nonce (heap ${per('heap').toFixed(1)}, primary key ${per('pkey').toFixed(1)}, expiry index ${per('expiry').toFixed(1)})`,
    );
    expect(per('total')).toBeGreaterThan(120);
    expect(per('total')).toBeLessThan(200);
  }, 60_000);
});
