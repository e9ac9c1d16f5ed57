import { isSigilError, type SigilError } from '@sigil/core';
import { sanitizedCause, storeUnavailable, withTimeout } from '@sigil/verify/store';
import type { RedisNonceStoreEvent } from '../options.js';
import type { Send } from './send.js';

/** The one policy under which Redis never drops a live nonce. */
export const SAFE_POLICY = 'noeviction';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : value instanceof Uint8Array ? new TextDecoder().decode(value) : undefined;

/** The value from a `CONFIG GET maxmemory-policy` reply: RESP2 array, RESP3 map or object. */
export function policyOf(reply: unknown): string | undefined {
  if (Array.isArray(reply)) return reply.length >= 2 ? text(reply[1]) : undefined;
  if (reply instanceof Map) return text([...reply.values()][0]);
  if (typeof reply === 'object' && reply !== null) return text(Object.values(reply)[0]);
  return undefined;
}

/**
 * An error reply from Redis itself (`ERR unknown command 'CONFIG'`, `NOPERM
 * ...`): the server is there and refuses the command, as managed Redis does.
 * Anything else (a dropped connection, a timeout) says nothing about the
 * policy.
 */
function isRefusal(error: unknown): boolean {
  return error instanceof Error && !isSigilError(error) && /^[A-Z][A-Z0-9_-]* /.test(String(error.message));
}

/** What checking one node found. */
export type PolicyVerdict = { policy: string } | { refused: string };

/** Reads one node's `maxmemory-policy`. Rejects with nonce_store_unavailable when the node cannot answer. */
export async function readPolicy(send: Send, timeoutMs: number): Promise<PolicyVerdict> {
  try {
    const policy = policyOf(await withTimeout(send(['CONFIG', 'GET', 'maxmemory-policy']), timeoutMs, 'redis'));
    return policy === undefined ? { refused: 'CONFIG GET maxmemory-policy gave no value' } : { policy };
  } catch (error) {
    if (isSigilError(error, 'nonce_store_unavailable')) throw error;
    if (isRefusal(error)) return { refused: sanitizedCause(error).message };
    throw storeUnavailable('redis could not be asked for its maxmemory-policy', sanitizedCause(error));
  }
}

const policyErrors = new WeakSet<object>();

/** True for the error of `evictingPolicy`: a verdict on the configuration, not a passing failure. */
export const isPolicyVerdict = (error: unknown): boolean => typeof error === 'object' && error !== null && policyErrors.has(error);

/** The error a store on an evicting policy answers every call with. */
export function evictingPolicy(policy: string): SigilError {
  const error = storeUnavailable(
    `redis maxmemory-policy is ${policy.slice(0, 40)}: it evicts live nonces under memory pressure, which re-opens their replay. ` +
      `Set maxmemory-policy ${SAFE_POLICY} (or pass allowEvictingPolicy: true) and restart.`,
  );
  policyErrors.add(error);
  return error;
}

/**
 * Checks every node's policy. Resolves with the events to report; rejects
 * with `nonce_store_unavailable` on an evicting policy (unless allowed) or
 * when a node cannot answer.
 */
export async function checkPolicies(nodes: Promise<readonly Send[]>, timeoutMs: number, allowEvicting: boolean): Promise<RedisNonceStoreEvent[]> {
  const verdicts = await Promise.all((await nodes).map((send) => readPolicy(send, timeoutMs)));
  const events: RedisNonceStoreEvent[] = [];
  for (const verdict of verdicts) {
    if ('refused' in verdict) {
      events.push({ type: 'eviction_policy_unchecked', reason: verdict.refused });
    } else if (verdict.policy !== SAFE_POLICY) {
      if (!allowEvicting) throw evictingPolicy(verdict.policy);
      events.push({ type: 'eviction_policy_allowed', policy: verdict.policy });
    }
  }
  return events;
}
