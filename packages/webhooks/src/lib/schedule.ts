// When to try again: exponential backoff with jitter, or the receiver's
// Retry-After (seconds or an HTTP-date), capped.

/** The backoff before attempt `attempt + 1`: min(maxDelay, initial × 2^(attempt−1)), minus up to `jitter` of it at random. */
export function backoffDelay(attempt: number, options: { initialDelayMs: number; maxDelayMs: number; jitter: number; random: () => number }): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(base * (1 - options.jitter * options.random()));
}

/** Milliseconds a `Retry-After` value asks for, or undefined when it is malformed. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,10}$/.test(text)) return Number(text) * 1000;
  // RFC 9110 section 10.2.3: an HTTP-date. Date.parse reads all three formats.
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Status codes worth another attempt: 408, 429 and every 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
