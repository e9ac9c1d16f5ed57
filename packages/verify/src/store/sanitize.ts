const MAX_MESSAGE = 200;
const CODE = /^[A-Z0-9_]{1,40}$/;

/**
 * A copy of a client error that keeps what helps an operator (name, message,
 * errno-style `code`) and drops everything else: database and Redis clients
 * attach the command and its arguments (the key, so the nonce), sockets,
 * options, connection strings. Each string in `secrets` (the nonce, say) is
 * cut out of the message, which is also capped at 200 characters. The copy
 * has no `cause`, so nothing further down travels either.
 *
 * @example
 * try {
 *   await client.query(sql, [keyId, nonce, at]);
 * } catch (error) {
 *   throw storeUnavailable('the insert failed', sanitizedCause(error, [nonce]));
 * }
 */
export function sanitizedCause(error: unknown, secrets: readonly string[] = []): Error {
  const source = error instanceof Error ? error : undefined;
  let message = source ? String(source.message) : 'non-error rejection';
  for (const secret of secrets) {
    if (secret.length > 0) message = message.split(secret).join('<redacted>');
  }
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}...`;
  const copy = new Error(message);
  copy.name = source ? String(source.name) : 'Error';
  const code = (source as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && CODE.test(code)) Object.assign(copy, { code });
  return copy;
}
