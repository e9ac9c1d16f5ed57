import { SigilError } from '@sigil/core';
import { describeIssue, parseOptions } from '@sigil/core/options';
import * as z from 'zod/mini';

/**
 * The part of an ioredis client the store uses. `Redis` and `Cluster` from
 * `ioredis` both have it. On a `Cluster` the store also uses `nodes()` (to
 * check every node's eviction policy) and, with `waitReplicas`,
 * `pipeline()` (so `WAIT` reaches the node that took the `SET`).
 *
 * @example
 * import { Cluster, Redis } from 'ioredis';
 * const client: IoredisClient = new Redis(process.env.REDIS_URL!); // or new Cluster(seeds)
 */
export interface IoredisClient {
  call(command: string, args: string[]): Promise<unknown>;
}

/**
 * The part of a node-redis client (`createClient()` from `redis` v4 or v5)
 * the store uses.
 *
 * @example
 * import { createClient } from 'redis';
 * const client: NodeRedisClient = createClient({ url: process.env.REDIS_URL });
 */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * The part of a node-redis cluster client (`createCluster()` from `redis` v4
 * or v5) the store uses: `sendCommand(firstKey, isReadonly, args)` routes by
 * key; `masters`, `replicas` and `nodeClient()` reach each node (to check its
 * eviction policy).
 *
 * @example
 * import { createCluster } from 'redis';
 * const client: NodeRedisClusterClient = createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:6379' }] });
 */
export interface NodeRedisClusterClient {
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly masters: readonly object[];
  readonly replicas: readonly object[];
  nodeClient(node: never): Promise<NodeRedisClient>;
}

/**
 * Any supported client, told apart by shape: ioredis has `call`; node-redis
 * has `sendCommand`, and its cluster client also has `masters`.
 *
 * @example
 * const client: RedisClient = useIoredis ? new Redis(url) : createClient({ url });
 */
export type RedisClient = IoredisClient | NodeRedisClient | NodeRedisClusterClient;

/**
 * Options of `new RedisNonceStore(options)`.
 *
 * @example
 * const options: RedisNonceStoreOptions = { client, prefix: 'api:nonce:', timeoutMs: 500 };
 */
export interface RedisNonceStoreOptions {
  /**
   * A connected ioredis or node-redis client. The store never connects,
   * configures or closes it. Configure it to fail fast (see README).
   */
  readonly client: RedisClient;
  /** Prepended to every key. Default `sigil:nonce:`. */
  readonly prefix?: string;
  /**
   * Upper bound, in milliseconds, on one check-and-store round trip. Past it
   * the call rejects with `nonce_store_unavailable` whatever the client does.
   * Default 1000.
   */
  readonly timeoutMs?: number;
  /**
   * Run on a Redis whose `maxmemory-policy` evicts keys (anything but
   * `noeviction`). Off by default: under memory pressure such a Redis drops
   * live nonces, and a captured request is accepted again; one key holder can
   * create that pressure on purpose. Turn it on only for a Redis that can
   * never reach its `maxmemory`. The store then reports
   * `eviction_policy_allowed` once through `onEvent`.
   */
  readonly allowEvictingPolicy?: boolean;
  /**
   * Accept a first use only once this many replicas hold it: the store sends
   * `WAIT <n> <timeoutMs / 2>` after the `SET` on the same connection, and a
   * write fewer replicas confirmed rejects with `nonce_store_unavailable`
   * (fail closed; the nonce is spent). Redis replicates asynchronously, so
   * without it a failover can lose an acknowledged nonce and accept its
   * request again (see the README's failover section). Default 0 (off).
   */
  readonly waitReplicas?: number;
  /**
   * Told once per store when the eviction policy could not be checked (a
   * managed Redis that refuses `CONFIG GET`) or was allowed through
   * `allowEvictingPolicy`. Never given a nonce or a password.
   */
  readonly onEvent?: (event: RedisNonceStoreEvent) => void;
}

/**
 * What the store reports through `onEvent`.
 *
 * @example
 * new RedisNonceStore({ client, onEvent: (event) => log.warn(event, 'sigil redis store') });
 */
export type RedisNonceStoreEvent =
  | {
      /** `CONFIG GET maxmemory-policy` was refused: the store runs, unchecked. */
      readonly type: 'eviction_policy_unchecked';
      /** The refusal, sanitised (e.g. `ERR unknown command 'CONFIG'`). */
      readonly reason: string;
    }
  | {
      /** The policy evicts, and `allowEvictingPolicy` let the store run anyway. */
      readonly type: 'eviction_policy_allowed';
      readonly policy: string;
    };

/**
 * Default key prefix.
 *
 * @example
 * const key = `${DEFAULT_PREFIX}${keyId}:${nonce}`; // what the store writes
 */
export const DEFAULT_PREFIX = 'sigil:nonce:';
/**
 * Default upper bound on one round trip, in milliseconds.
 *
 * @example
 * new RedisNonceStore({ client, timeoutMs: DEFAULT_TIMEOUT_MS / 2 });
 */
export const DEFAULT_TIMEOUT_MS = 1000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null;

const clientSchema = z
  .custom<RedisClient>(
    (value) => isObject(value) && (typeof value.call === 'function' || typeof value.sendCommand === 'function'),
    { message: 'must be an ioredis client or a node-redis client' },
  )
  .check(
    z.refine(
      // A node-redis cluster's sendCommand takes (firstKey, isReadonly, args).
      (value) => typeof (value as Partial<IoredisClient>).call === 'function' || !('masters' in value) || typeof (value as Partial<NodeRedisClusterClient>).nodeClient === 'function',
      { message: 'a node-redis cluster client must have nodeClient()' },
    ),
  );

const optionsSchema = z.strictObject({
  client: clientSchema,
  prefix: z._default(z.string().check(z.maxLength(256)), DEFAULT_PREFIX),
  timeoutMs: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(60_000)), DEFAULT_TIMEOUT_MS),
  allowEvictingPolicy: z._default(z.boolean(), false),
  waitReplicas: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(16)), 0),
  onEvent: z.optional(z.custom<(event: RedisNonceStoreEvent) => void>((v) => typeof v === 'function', { message: 'expected a function' })),
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
