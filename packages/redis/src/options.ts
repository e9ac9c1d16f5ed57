import { SigilError } from '@sigil/core';
import { z } from 'zod';

/**
 * The part of an ioredis client the store uses. `Redis` and `Cluster` from
 * `ioredis` both have it.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const client: IoredisClient = new Redis(process.env.REDIS_URL!);
 */
export interface IoredisClient {
  call(command: string, args: string[]): Promise<unknown>;
}

/**
 * The part of a node-redis client (`createClient()` from `redis` v4 or v5)
 * the store uses. A node-redis cluster has another `sendCommand` and is not
 * supported: use ioredis `Cluster` for Redis Cluster.
 *
 * @example
 * import { createClient } from 'redis';
 * const client: NodeRedisClient = createClient({ url: process.env.REDIS_URL });
 */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * Either supported client, told apart by shape: ioredis has `call`,
 * node-redis has `sendCommand(args[])` and no `call`.
 *
 * @example
 * const client: RedisClient = useIoredis ? new Redis(url) : createClient({ url });
 */
export type RedisClient = IoredisClient | NodeRedisClient;

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

const clientSchema = z.custom<RedisClient>(
  (value) => isObject(value) && (typeof value.call === 'function' || typeof value.sendCommand === 'function'),
  { message: 'must be an ioredis client or a node-redis client' },
).refine(
  // A node-redis cluster's sendCommand takes (firstKey, isReadonly, args).
  (value) => typeof (value as Partial<IoredisClient>).call === 'function' || !('masters' in value),
  { message: 'node-redis cluster clients are not supported (use an ioredis Cluster)' },
);

const optionsSchema = z.strictObject({
  client: clientSchema,
  prefix: z.string().max(256).default(DEFAULT_PREFIX),
  timeoutMs: z.number().int().min(1).max(60_000).default(DEFAULT_TIMEOUT_MS),
  allowEvictingPolicy: z.boolean().default(false),
  onEvent: z.custom<(event: RedisNonceStoreEvent) => void>((v) => typeof v === 'function', { message: 'expected a function' }).optional(),
});

/** Options after validation, defaults applied. */
export type ResolvedOptions = z.output<typeof optionsSchema>;

/**
 * Validates the options once, at construction. Throws `invalid_option`
 * naming the first bad option; never echoes a received value.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  // zod's messages state the expectation, never the received value.
  const issue = parsed.error.issues[0];
  const name = issue?.path.length ? issue.path.join('.') : 'options';
  throw new SigilError('invalid_option', { detail: `${name}: ${issue?.message ?? 'invalid'}` });
}
