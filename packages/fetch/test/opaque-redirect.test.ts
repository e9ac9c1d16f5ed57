// Browsers answer a `redirect: 'manual'` fetch (the one the signer makes, so
// it can re-sign each hop itself) with an opaque redirect: type
// 'opaqueredirect', status 0, no Location. Node's fetch never does, so this
// file stands in for the browser's fetch with a response of that shape; the
// runtime matrix (packages/runtime-tests) runs the same cases in Chromium.
import { isSigilError } from '@sigil/core';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { describe, expect, it } from 'vitest';

const ORIGIN = 'https://api.example.com';

/** What Chromium's fetch returns for any 3xx under redirect: 'manual'. */
function browserLikeFetch(calls: { count: number }): FetchLike {
  return (_url: string, init: RequestInit) => {
    calls.count++;
    expect(init.redirect).toBe('manual');
    const opaque = { type: 'opaqueredirect', status: 0, ok: false, redirected: false, headers: new Headers(), body: null, url: '' };
    return Promise.resolve(opaque as unknown as Response);
  };
}

const signing = (calls: { count: number }) =>
  createSigningFetch({ keyId: 'client-1', secret: new Uint8Array(32).fill(1), origins: [ORIGIN], fetch: browserLikeFetch(calls) });

describe('an opaque redirect (browsers)', () => {
  it('with the default redirect: "follow", fails with redirect_opaque instead of returning a status-0 response', async () => {
    const calls = { count: 0 };
    const error: unknown = await signing(calls)(`${ORIGIN}/moved`, { method: 'POST', body: 'x' }).catch((e: unknown) => e);
    expect(isSigilError(error) && error.code).toBe('redirect_opaque');
    expect(calls.count).toBe(1);
  });

  it('with redirect: "manual", returns the opaque redirect, as fetch does', async () => {
    const res = await signing({ count: 0 })(`${ORIGIN}/moved`, { redirect: 'manual' });
    expect(res.type).toBe('opaqueredirect');
  });

  it('with redirect: "error", rejects with a TypeError, as fetch does', async () => {
    await expect(signing({ count: 0 })(`${ORIGIN}/moved`, { redirect: 'error' })).rejects.toThrow(TypeError);
  });
});
