// `@sigil/verify/store`: the helpers every NonceStore shares. The contract
// suite (@sigil/store-contract) tests the stores built on them; this file
// tests what a store author relies on directly.
import { isSigilError } from '@sigil/core';
import { checkNonceArguments, sanitizedCause, storeUnavailable, withTimeout } from '@sigil/verify/store';
import { describe, expect, it } from 'vitest';

describe('checkNonceArguments', () => {
  it('returns the expiry rounded up to a whole millisecond, judged by the given clock', () => {
    expect(checkNonceArguments('k', 'abc', 1000.25, 999)).toBe(1001);
    expect(() => checkNonceArguments('k', 'abc', 1000, 1000)).toThrow(/expiresAtMs/);
  });

  it('throws invalid_option for every bad argument, never a TypeError', () => {
    for (const args of [[7, 'abc', 2], ['k', null, 2], ['k', 'abc', '2']] as const) {
      let error: unknown;
      try {
        checkNonceArguments(...(args as unknown as [string, string, number]), 1);
      } catch (e) {
        error = e;
      }
      expect(isSigilError(error, 'invalid_option'), String(error)).toBe(true);
    }
  });
});

describe('sanitizedCause', () => {
  it('keeps name, message and an errno-style code; drops the rest and cuts the secrets out', () => {
    const nonce = 'n0nce-abcdefghijklmnopqrstu';
    const raw = Object.assign(new Error(`NOPERM on sigil:nonce:k:${nonce}`), {
      name: 'ReplyError',
      code: 'NOPERM',
      command: { name: 'set', args: [`k:${nonce}`] },
      cause: new Error(nonce),
    });
    const copy = sanitizedCause(raw, [nonce]);
    expect([copy.name, copy.message, (copy as { code?: string }).code]).toEqual(['ReplyError', 'NOPERM on sigil:nonce:k:<redacted>', 'NOPERM']);
    expect(copy).not.toHaveProperty('command');
    expect(copy.cause).toBeUndefined();
    expect(sanitizedCause(Object.assign(new Error('x'), { code: 'lower case; not a code' }))).not.toHaveProperty('code');
    expect(sanitizedCause('a string').message).toBe('non-error rejection');
    expect(sanitizedCause(new Error('y'.repeat(500))).message).toHaveLength(203);
  });
});

describe('withTimeout and storeUnavailable', () => {
  it('rejects with nonce_store_unavailable naming the store after the bound', async () => {
    const error = await withTimeout(new Promise(() => {}), 20, 'postgres').catch((e: unknown) => e);
    expect(isSigilError(error, 'nonce_store_unavailable')).toBe(true);
    expect((error as Error).message).toMatch(/postgres did not answer within 20 ms/);
  });

  it('settles like the promise when it is in time', async () => {
    await expect(withTimeout(Promise.resolve('OK'), 1000)).resolves.toBe('OK');
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });

  it('storeUnavailable is a 503 with the cause attached', () => {
    const cause = new Error('c');
    const error = storeUnavailable('down', cause);
    expect([error.code, error.status, error.cause]).toEqual(['nonce_store_unavailable', 503, cause]);
  });
});
