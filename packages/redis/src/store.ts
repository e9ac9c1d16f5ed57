import { isSigilError, LIMITS, SigilError } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { sanitizedCause, unavailable, withTimeout } from './lib/failure.js';
import { isOk, sender, type Send } from './lib/send.js';
import { resolveOptions, type RedisNonceStoreOptions } from './options.js';

const invalid = (detail: string) => new SigilError('invalid_option', { detail });

/** Argument checks shared with every NonceStore (see the contract suite). */
function checkArguments(keyId: string, nonce: string, expiresAtMs: number): number {
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > LIMITS.keyId) {
    throw invalid(`keyId must be a string of 1 to ${LIMITS.keyId} characters`);
  }
  // The key is `<prefix><keyId>:<nonce>`. A key id may contain ':', a nonce
  // (base64url) never does, so the last ':' splits the key unambiguously.
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > LIMITS.nonceMax || nonce.includes(':')) {
    throw invalid(`nonce must be a string of 1 to ${LIMITS.nonceMax} characters without ':'`);
  }
  // Fail closed: a past expiry is a caller bug (seconds passed as ms, a fake
  // clock). Redis would take it, expire the key at once and answer OK to
  // every replay.
  if (typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs) || expiresAtMs <= Date.now()) {
    throw invalid('expiresAtMs must be a finite time in the future, in milliseconds since the epoch');
  }
  // "Forgotten no earlier than expiresAtMs": round up to whole milliseconds.
  return Math.ceil(expiresAtMs);
}

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
    const at = checkArguments(keyId, nonce, expiresAtMs);
    if (this.#closed) throw unavailable('the store is closed');
    let reply: unknown;
    try {
      reply = await withTimeout(this.#send(['SET', `${this.prefix}${keyId}:${nonce}`, '1', 'NX', 'PXAT', String(at)]), this.#timeoutMs);
    } catch (error) {
      if (isSigilError(error, 'nonce_store_unavailable')) throw error;
      throw unavailable('the redis command failed', sanitizedCause(error, nonce));
    }
    if (reply === null) return false;
    if (isOk(reply)) return true;
    throw unavailable('unexpected reply from redis');
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
