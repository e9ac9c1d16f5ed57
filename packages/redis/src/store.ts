import { isSigilError } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { checkNonceArguments, sanitizedCause, storeUnavailable, withTimeout } from '@sigil/verify/store';
import { isOk, sender, type Send } from './lib/send.js';
import { resolveOptions, type RedisNonceStoreOptions } from './options.js';

/**
 * A NonceStore in Redis, shared by every server instance that uses the same
 * Redis and prefix. One round trip per check:
 * `SET <prefix><keyId>:<nonce> 1 NX PXAT <expiresAtMs>` (Redis >= 6.2);
 * `OK` means first use, a null reply means replay. Redis removes the key at
 * `expiresAtMs` by its own clock, so keep the Redis host's clock in sync.
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
 * await store.checkAndStore('client-1', nonce, Date.now() + 301_000); // true, then false
 */
export class RedisNonceStore implements NonceStore {
  /** The key prefix in use. */
  readonly prefix: string;
  // Private fields: util.inspect and JSON.stringify never reach the client,
  // whose options may hold the Redis password.
  readonly #send: Send;
  readonly #timeoutMs: number;
  #closed = false;

  /** Throws `SigilError('invalid_option')` naming the bad option. */
  constructor(options: RedisNonceStoreOptions) {
    const resolved = resolveOptions(options);
    this.prefix = resolved.prefix;
    this.#timeoutMs = resolved.timeoutMs;
    this.#send = sender(resolved.client);
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
    let reply: unknown;
    try {
      reply = await withTimeout(this.#send(['SET', `${this.prefix}${keyId}:${nonce}`, '1', 'NX', 'PXAT', String(at)]), this.#timeoutMs, 'redis');
    } catch (error) {
      if (isSigilError(error, 'nonce_store_unavailable')) throw error;
      throw storeUnavailable('the redis command failed', sanitizedCause(error, [nonce]));
    }
    if (reply === null) return false;
    if (isOk(reply)) return true;
    throw storeUnavailable('unexpected reply from redis');
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
