/**
 * Replay protection storage. One atomic operation: record `(keyId, nonce)`
 * until `expiresAtMs` unless it is already there.
 *
 * Contract (run by `nonceStoreContract` against every implementation):
 * - resolves `true` when the pair was not present and is now stored;
 * - resolves `false` when the pair is present and not expired (a replay);
 * - under N concurrent calls with the same pair, exactly one resolves `true`;
 * - a pair is forgotten no earlier than `expiresAtMs`;
 * - throws `SigilError('nonce_store_full')` rather than evicting a live pair;
 * - any other failure rejects; the verifier then fails closed
 *   (`nonce_store_unavailable`, 503).
 *
 * @example
 * const store: NonceStore = new MemoryNonceStore({ maxEntries: 100_000 });
 * await store.checkAndStore('client-1', 'q3v...', Date.now() + 600_000); // true
 */
export interface NonceStore {
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean>;
  /** Releases timers and connections the store owns (not ones it was given). */
  close?(): Promise<void>;
}
