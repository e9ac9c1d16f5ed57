import { storeUnavailable } from './unavailable.js';

/**
 * Settles like `promise`, or rejects with `nonce_store_unavailable` after
 * `ms` ("<what> did not answer within <ms> ms"), whatever the client does. A
 * write that timed out may still land later: the nonce is then spent although
 * the request was refused, which is the safe direction (the client retries
 * with a fresh nonce). The timer never keeps a process alive on its own.
 *
 * @example
 * const reply = await withTimeout(client.call('SET', args), 1000, 'redis');
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the store'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(storeUnavailable(`${what} did not answer within ${ms} ms`)), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
