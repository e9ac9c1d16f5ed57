// Two real server processes share one PostgreSQL table, one through pg and
// one through postgres.js: 1,000 concurrent replays of one signed request,
// spread across both, are accepted exactly once.
import http from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKey, generateKey } from '@sigil/core';
import { send, signPost, startInstance, stopInstance, type Instance } from '@sigil/store-contract';
import { countRows, createTable, DATABASE_URL, dropTable, pgPool, pgUp, uniqueTable } from './helpers/pg-env.js';

const FIXTURE = new URL('./fixtures/replay-server.ts', import.meta.url);
const REPLAYS = 1_000;
const KEY_ID = 'load-client';

describe.runIf(pgUp)('two server processes sharing one PostgreSQL table (pg and postgres.js)', () => {
  const table = uniqueTable('load');
  const key = generateKey();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 250 });
  let admin: pg.Pool;
  let instances: Instance[] = [];

  beforeAll(async () => {
    admin = pgPool();
    await createTable(admin, table);
    const env = { DATABASE_URL, SIGIL_TABLE: table, SIGIL_KEY_ID: KEY_ID, SIGIL_SECRET: exportKey(key) };
    instances = await Promise.all([startInstance(FIXTURE, 'pg', { ...env, SIGIL_CLIENT: 'pg' }), startInstance(FIXTURE, 'postgres.js', { ...env, SIGIL_CLIENT: 'postgres' })]);
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await Promise.all(instances.map(stopInstance));
    await dropTable(admin, table);
    await admin?.end();
  });

  it('each instance accepts a fresh signed request', async () => {
    for (const { port } of instances) {
      const body = '{"sku":"A-1","qty":1}';
      const { status, text } = await send(agent, port, signPost(key, KEY_ID, body));
      expect(status, text).toBe(201);
    }
  });

  it(`accepts exactly one of ${REPLAYS} concurrent replays spread across both`, async () => {
    const body = '{"sku":"B-2","qty":3}';
    const captured = signPost(key, KEY_ID, body);
    const start = performance.now();
    const replies = await Promise.all(
      Array.from({ length: REPLAYS }, (_, i) => send(agent, instances[i % 2]!.port, captured)),
    );
    const ms = performance.now() - start;
    const accepted = replies.filter((r) => r.status >= 200 && r.status < 300);
    const replayed = replies.filter((r) => r.status === 401 && JSON.parse(r.text).error === 'nonce_replayed');
    expect(accepted).toHaveLength(1);
    const others = replies.filter((r) => !accepted.includes(r) && !replayed.includes(r)).map((r) => `${r.status} ${r.text}`);
    expect(others, 'neither accepted nor refused as a replay').toEqual([]);
    expect(replayed).toHaveLength(REPLAYS - 1);
    // One row for the fresh request each instance took, one for the storm.
    expect(await countRows(admin, table)).toBe(3);
    console.info(`[replay-load] ${REPLAYS} replays across pg + postgres.js: 1 accepted, ${replayed.length} nonce_replayed, ${ms.toFixed(0)} ms`);
  }, 60_000);
});
