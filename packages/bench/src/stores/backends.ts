// The replay stores the store bench compares, each opened on a service of
// its own: a throwaway redis-server (and a throwaway 3+3 Redis Cluster, from
// @sigil/store-contract) on loopback ports, and a table of its own in the
// PostgreSQL at DATABASE_URL. A store whose service is absent is skipped
// with a banner, never silently: the report lists it as skipped and why.
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import pg from 'pg';
import { nonceTableSql, PostgresNonceStore } from '@sigil/postgres';
import { RedisNonceStore } from '@sigil/redis';
import { reachable, redisServerAvailable, startRedisCluster, startRedisServer } from '@sigil/store-contract';
import { MemoryNonceStore, type NonceStore } from '@sigil/verify';

/** The stores, in print order. `off` is the verifier with `replay: false`, the baseline of every ratio. */
export const STORE_IDS = ['off', 'memory', 'redis', 'redis-autopipe', 'cluster', 'postgres'] as const;
export type StoreId = (typeof STORE_IDS)[number];

export const STORE_LABELS: Readonly<Record<StoreId, string>> = {
  off: 'replay off (baseline)',
  memory: 'MemoryNonceStore',
  redis: 'Redis (ioredis)',
  'redis-autopipe': 'Redis (ioredis, enableAutoPipelining)',
  cluster: 'Redis Cluster 3+3 (ioredis Cluster)',
  postgres: 'PostgreSQL (pg Pool, max 16)',
};

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One opened store. */
export interface Backend {
  readonly id: StoreId;
  /** Undefined for `off`. */
  readonly store: NonceStore | undefined;
  /** Server-side bytes the store's data takes now (used_memory summed over masters, relation size), for a delta; undefined for memory and off. */
  serverBytes?(): Promise<number>;
  /** Extra facts for the report (key length, pool size). */
  readonly note: string;
  close(): Promise<void>;
}

/** Why a store was skipped. */
export interface Skipped {
  readonly id: StoreId;
  readonly reason: string;
}

function banner(id: StoreId, reason: string): void {
  process.stderr.write(`\n${'='.repeat(78)}\n  bench stores: ${STORE_LABELS[id]} SKIPPED: ${reason}\n${'='.repeat(78)}\n\n`);
}

const usedMemory = async (client: Redis): Promise<number> => Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1]);

/** A fresh 22-character base64url nonce (128 bits), as clients send. */
export const freshNonce = (): string => randomBytes(16).toString('base64url');

/** Store capacity for the memory store: every nonce one store process keeps for the window. */
const MEMORY_ENTRIES = 4_000_000;

let redisOk: boolean | undefined;
const redisBinaries = (): boolean => (redisOk ??= redisServerAvailable('@sigil/bench stores'));

/**
 * Opens one store, or says why it cannot.
 *
 * @example
 * const opened = await openBackend('redis');
 * if ('reason' in opened) console.error(opened.reason);
 */
export async function openBackend(id: StoreId): Promise<Backend | Skipped> {
  switch (id) {
    case 'off':
      return { id, store: undefined, note: 'createVerifier({ replay: false })', close: async () => {} };
    case 'memory':
      return {
        id,
        store: new MemoryNonceStore({ maxEntries: MEMORY_ENTRIES, maxEntriesPerKey: MEMORY_ENTRIES }),
        note: `maxEntries ${MEMORY_ENTRIES.toLocaleString('en-US')}`,
        close: async () => {},
      };
    case 'redis':
    case 'redis-autopipe': {
      if (!redisBinaries()) return skip(id, 'no redis-server/redis-cli on PATH (apt-get install -y redis-server)');
      const server = await startRedisServer();
      const client = new Redis(server.url, { enableAutoPipelining: id === 'redis-autopipe', maxRetriesPerRequest: 1 });
      const store = new RedisNonceStore({ client });
      await store.ready().catch(async (error: unknown) => {
        client.disconnect();
        await server.kill();
        throw error;
      });
      return {
        id,
        store,
        note: 'throwaway redis-server on loopback, no persistence',
        serverBytes: () => usedMemory(client),
        close: async () => {
          client.disconnect();
          await server.kill();
        },
      };
    }
    case 'cluster': {
      if (!redisBinaries()) return skip(id, 'no redis-server/redis-cli on PATH (apt-get install -y redis-server)');
      const cluster = await startRedisCluster({ nodeTimeoutMs: 5_000 });
      const client = new Cluster([...cluster.seeds], { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 1 } });
      let clients: Redis[] = [];
      const store = new RedisNonceStore({ client });
      try {
        await new Promise<void>((resolve, reject) => {
          client.once('ready', resolve);
          client.once('error', reject);
        });
        await store.ready();
        clients = (await cluster.masters()).map((m) => new Redis(m.url));
      } catch (error) {
        client.disconnect();
        await cluster.stop();
        throw error;
      }
      return {
        id,
        store,
        note: `throwaway 3 masters + 3 replicas on loopback (started in ${cluster.startupMs} ms), enableAutoPipelining`,
        // Masters only: each replica holds a second copy of its master's keys.
        serverBytes: async () => (await Promise.all(clients.map(usedMemory))).reduce((a, b) => a + b, 0),
        close: async () => {
          for (const c of clients) c.disconnect();
          client.disconnect();
          await cluster.stop();
        },
      };
    }
    case 'postgres': {
      const url = new URL(DATABASE_URL);
      if (!(await reachable(url.hostname, Number(url.port || 5432)))) return skip(id, `no PostgreSQL at ${url.host} (set DATABASE_URL)`);
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16, connectionTimeoutMillis: 2_000 });
      pool.on('error', () => {});
      const table = `sigil_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
      await pool.query(nonceTableSql({ table }));
      const store = new PostgresNonceStore({ client: pool, table });
      return {
        id,
        store,
        note: `table ${table} (dropped after), pg Pool max 16`,
        serverBytes: async () => Number((await pool.query<{ n: string }>('SELECT pg_total_relation_size($1::regclass) AS n', [table])).rows[0]!.n),
        close: async () => {
          await store.close();
          await pool.query(`DROP TABLE IF EXISTS "${table}"`);
          await pool.end();
        },
      };
    }
  }
}

function skip(id: StoreId, reason: string): Skipped {
  banner(id, reason);
  return { id, reason };
}
