import { SigilError } from '@sigil/core';

const MAX_MESSAGE = 200;

/**
 * A copy of a client error that keeps what helps an operator (name, message,
 * errno-style code) and drops the rest: ioredis attaches the command and its
 * arguments (the key, so the nonce), node-redis may attach sockets and
 * options. The nonce is cut out of the message too. The copy has no cause.
 */
export function sanitizedCause(error: unknown, nonce: string): Error {
  const source = error instanceof Error ? error : undefined;
  let message = source ? String(source.message) : 'non-error rejection';
  if (nonce.length > 0) message = message.split(nonce).join('<nonce>');
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}...`;
  const copy = new Error(message);
  copy.name = source ? String(source.name) : 'Error';
  const code = (source as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) Object.assign(copy, { code });
  return copy;
}

/** The error every Redis failure becomes: fail closed, 503. */
export function unavailable(detail: string, cause?: Error): SigilError {
  return new SigilError('nonce_store_unavailable', cause ? { detail, cause } : { detail });
}

/**
 * Settles like `promise`, or rejects with `nonce_store_unavailable` after
 * `ms`. A timed-out SET may still land in Redis later: the nonce is then
 * spent although the request was refused, which is the safe direction (the
 * client retries with a fresh nonce).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`redis did not answer within ${ms} ms`)), ms);
    // A pending check must not keep a process alive on its own.
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
