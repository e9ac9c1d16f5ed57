import { isSigilError } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { checkNonceArguments, sanitizedCause, storeUnavailable, withTimeout } from '@sigil/verify/store';
import { checkPolicies, isPolicyVerdict } from './lib/policy.js';
import { isOk, wire, type Wire } from './lib/send.js';
import { resolveOptions, type RedisNonceStoreEvent, type RedisNonceStoreOptions } from './options.js';

/**
 * A NonceStore in Redis, shared by every server instance that uses the same
 * Redis and prefix. One round trip per check:
 * `SET <prefix><keyId>:<nonce> 1 NX PXAT <expiresAtMs>` (Redis >= 6.2);
 * `OK` means first use, a null reply means replay. Redis removes the key at
 * `expiresAtMs` by its own clock, so keep the Redis host's clock in sync.
 *
 * It refuses to run on a Redis that may evict keys (`maxmemory-policy` other
 * than `noeviction`): see `ready()`.
 *
 * Any Redis failure, a timeout or an unexpected reply rejects with
 * `SigilError('nonce_store_unavailable')` (503: the verifier fails closed).
 * Its cause is a sanitized copy of the client error: the nonce and the
 * client's command arguments never travel with it.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL!, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * await client.connect();
 * const store = new RedisNonceStore({ client });
 * await store.ready(); // refuses an evicting maxmemory-policy
 * await store.checkAndStore('client-1', nonce, Date.now() + 301_000); // true, then false
 */
export class RedisNonceStore implements NonceStore {
  /** The key prefix in use. */
  readonly prefix: string;
  // Private fields: util.inspect and JSON.stringify never reach the client,
  // whose options may hold the Redis password.
  readonly #wire: Wire;
  readonly #waitReplicas: number;
  readonly #timeoutMs: number;
  readonly #allowEvicting: boolean;
  readonly #onEvent: ((event: RedisNonceStoreEvent) => void) | undefined;
  #closed = false;
  /** The eviction-policy check: pending, passed (`true`) or refused for good. */
  #ready: Promise<void> | true | undefined;

  /** Throws `SigilError('invalid_option')` naming the bad option. */
  constructor(options: RedisNonceStoreOptions) {
    const resolved = resolveOptions(options);
    this.prefix = resolved.prefix;
    this.#timeoutMs = resolved.timeoutMs;
    this.#allowEvicting = resolved.allowEvictingPolicy;
    this.#onEvent = resolved.onEvent;
    this.#wire = wire(resolved.client);
    this.#waitReplicas = resolved.waitReplicas;
  }

  /**
   * Checks that Redis will never evict a live nonce: `CONFIG GET
   * maxmemory-policy` must answer `noeviction`. Any other policy drops keys
   * with a TTL (every nonce has one) under memory pressure, which re-opens
   * their replay, so the store refuses to run: this call and every
   * `checkAndStore` reject with `nonce_store_unavailable` (503), unless
   * `allowEvictingPolicy` is set. A Redis that refuses `CONFIG GET` (managed
   * services often do) is reported once through `onEvent` and used
   * unchecked. A Redis that cannot be reached is asked again on the next call.
   *
   * The first `checkAndStore` runs this check itself; call it before the
   * server listens to fail at startup instead.
   *
   * @example
   * const store = new RedisNonceStore({ client });
   * await store.ready(); // throws on maxmemory-policy volatile-ttl
   * server.listen(8080);
   */
  ready(): Promise<void> {
    if (this.#ready === true) return Promise.resolve();
    this.#ready ??= checkPolicies(this.#wire.nodes(), this.#timeoutMs, this.#allowEvicting).then(
      (events) => {
        this.#ready = true;
        this.#report(events);
      },
      (error: unknown) => {
        // An evicting policy is a verdict; an unreachable Redis is not.
        if (!isPolicyVerdict(error)) this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  #report(events: readonly RedisNonceStoreEvent[]): void {
    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.type)) continue; // once per store, however many nodes
      seen.add(event.type);
      try {
        this.#onEvent?.(event);
      } catch {
        // A failing hook must not turn into a failed check.
      }
    }
  }

  /**
   * Records `(keyId, nonce)` until `expiresAtMs` unless it is already there.
   * Resolves true on first use, false on replay. Rejects with `invalid_option`
   * on bad arguments (a past `expiresAtMs` included) before any round trip,
   * and with `nonce_store_unavailable` on any Redis failure.
   *
   * @example
   * const fresh = await store.checkAndStore(params.keyId, params.nonce, (params.timestamp + 301) * 1000);
   * if (!fresh) return reply(401, 'nonce_replayed');
   */
  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    // The key is `<prefix><keyId>:<nonce>`: a nonce (base64url) has no ':', so
    // the last ':' splits the key unambiguously.
    const at = checkNonceArguments(keyId, nonce, expiresAtMs);
    if (this.#closed) throw storeUnavailable('the store is closed');
    if (this.#ready !== true) await this.ready();
    const set: [string, ...string[]] = ['SET', `${this.prefix}${keyId}:${nonce}`, '1', 'NX', 'PXAT', String(at)];
    let reply: unknown;
    let acknowledged: unknown;
    try {
      if (this.#waitReplicas === 0) reply = await withTimeout(this.#wire.send(set), this.#timeoutMs, 'redis');
      else {
        // Half the bound for WAIT, so Redis answers "too few replicas" before our timer fires.
        const waitMs = Math.max(1, Math.floor(this.#timeoutMs / 2));
        [reply, acknowledged] = await withTimeout(this.#wire.sendAndWait(set, this.#waitReplicas, waitMs), this.#timeoutMs, 'redis');
      }
    } catch (error) {
      if (isSigilError(error, 'nonce_store_unavailable')) throw error;
      throw storeUnavailable('the redis command failed', sanitizedCause(error, [nonce]));
    }
    if (reply === null) return false;
    if (!isOk(reply)) throw storeUnavailable('unexpected reply from redis');
    // A first use counts once enough replicas hold it: a failover to a
    // replica without it would accept the request again.
    if (this.#waitReplicas > 0 && !(typeof acknowledged === 'number' && acknowledged >= this.#waitReplicas)) {
      throw storeUnavailable(`the nonce reached fewer than ${this.#waitReplicas} replicas in time (waitReplicas): refused, since a failover could lose it`);
    }
    return true;
  }

  /**
   * Stops this store: later calls reject with `nonce_store_unavailable`.
   * Does not close the client, which belongs to the caller.
   *
   * @example
   * await store.close();
   * await client.quit();
   */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** Only the prefix: the client is never serialised. */
  toJSON(): { prefix: string } {
    return { prefix: this.prefix };
  }
}
