// The demo's scenarios. Each one sends (or refuses to send) one request and
// reports what happened: an outcome word and the Sigil code, if any.
import { isSigilError, signRequest, type SigilKey } from '@sigil/core';
import { createSigningFetch, type FetchLike, type SigningFetchOptions } from '@sigil/fetch';
import type { DemoServers } from './servers.js';

/** What a scenario observed. */
export interface Observed {
  readonly outcome: string;
  readonly code: string;
}

/** One row of the demo: what should happen, and how to make it happen. */
export interface Scenario {
  readonly name: string;
  readonly expected: Observed;
  run(ctx: DemoContext): Promise<Observed>;
}

/** What every scenario gets. */
export interface DemoContext {
  readonly servers: DemoServers;
  readonly keyId: string;
  readonly key: SigilKey;
}

const ORDER = JSON.stringify({ item: 'book', qty: 1 });
const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER } as const;

/** A fetch that counts the requests it sends and keeps the last one. */
function recorder(): { fetch: FetchLike; calls: () => number; last: () => [string, RequestInit] | undefined } {
  let calls = 0;
  let last: [string, RequestInit] | undefined;
  return {
    fetch: (url: string, init: RequestInit) => {
      calls++;
      last = [url, init];
      return fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
    },
    calls: () => calls,
    last: () => last,
  };
}

function signer(ctx: DemoContext, extra: Partial<SigningFetchOptions> = {}): typeof fetch {
  // origins: '*' so each scenario shows its own refusal (transport, redirect);
  // the SSRF row binds the key to the API's origin.
  return createSigningFetch({ keyId: ctx.keyId, secret: ctx.key, origins: '*', ...extra });
}

/** accepted/rejected with the code from the verifier's JSON body. */
async function verdict(response: Response): Promise<Observed> {
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (response.ok) return { outcome: `accepted ${response.status}`, code: '-' };
  return { outcome: `rejected ${response.status}`, code: body.error ?? '?' };
}

/** The Sigil code of a refusal by the client, or rethrow. */
function refusal(error: unknown, outcome: string): Observed {
  if (isSigilError(error)) return { outcome, code: error.code };
  throw error;
}

/** The rows, in the order the demo prints them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'valid signed POST',
    expected: { outcome: 'accepted 200', code: '-' },
    run: async (ctx) => verdict(await signer(ctx)(`${ctx.servers.api}/orders`, JSON_POST)),
  },
  {
    name: 'the same request replayed',
    expected: { outcome: 'rejected 401', code: 'nonce_replayed' },
    run: async (ctx) => {
      const rec = recorder();
      await (await signer(ctx, { fetch: rec.fetch })(`${ctx.servers.api}/orders`, JSON_POST)).arrayBuffer();
      const [url, init] = rec.last()!;
      // Byte for byte the request that was just accepted, signature included.
      return verdict(await fetch(url, init));
    },
  },
  {
    name: 'body tampered by a proxy',
    expected: { outcome: 'rejected 401', code: 'signature_invalid' },
    run: async (ctx) => verdict(await signer(ctx)(`${ctx.servers.proxy}/orders`, JSON_POST)),
  },
  {
    name: 'timestamp 10 minutes old',
    expected: { outcome: 'rejected 401 + server time', code: 'timestamp_out_of_window' },
    run: async (ctx) => {
      // Signed with core directly: @sigil/fetch would correct the clock and retry.
      const url = new URL(`${ctx.servers.api}/orders`);
      const headers: Array<[string, string]> = [['content-type', 'application/json']];
      const { header } = signRequest(
        { method: 'POST', target: url.pathname, headers: [...headers, ['host', url.host]], body: new TextEncoder().encode(ORDER) },
        ctx.key,
        { keyId: ctx.keyId, timestamp: Math.floor(Date.now() / 1000) - 600, headers: ['content-type'] },
      );
      const response = await fetch(url, { method: 'POST', headers: [...headers, ['sigil-signature', header]], body: ORDER });
      const seen = await verdict(response);
      const time = response.headers.get('sigil-server-time') === null ? '' : ' + server time';
      return { ...seen, outcome: seen.outcome + time };
    },
  },
  {
    // Past the default bound (maxClockSkewSeconds 300) the 401 would stand:
    // a correction that large must be allowed explicitly.
    name: 'client clock 10 min slow, bound 900 s',
    expected: { outcome: 'accepted 200, 1 retry', code: '-' },
    run: async (ctx) => {
      const rec = recorder();
      const slow = signer(ctx, { fetch: rec.fetch, clock: () => Date.now() - 600_000, maxClockSkewSeconds: 900 });
      const seen = await verdict(await slow(`${ctx.servers.api}/orders`, JSON_POST));
      return { ...seen, outcome: `${seen.outcome}, ${rec.calls() - 1} retr${rec.calls() === 2 ? 'y' : 'ies'}` };
    },
  },
  {
    name: 'http:// to a remote host',
    expected: { outcome: 'refused, not sent', code: 'insecure_transport' },
    run: async (ctx) => {
      const rec = recorder();
      try {
        await signer(ctx, { fetch: rec.fetch })('http://api.example.com/orders', JSON_POST);
        return { outcome: 'sent', code: '-' };
      } catch (error) {
        return refusal(error, rec.calls() === 0 ? 'refused, not sent' : 'refused after sending');
      }
    },
  },
  {
    name: 'SSRF: a URL outside the key\'s origins',
    expected: { outcome: 'refused, not sent', code: 'origin_not_allowed' },
    run: async (ctx) => {
      // The key is bound to the API's origin; a server tricked into fetching
      // another URL must not hand that host a signed request.
      const rec = recorder();
      try {
        await signer(ctx, { fetch: rec.fetch, origins: [ctx.servers.api] })(`${ctx.servers.other}/collect`, JSON_POST);
        return { outcome: 'sent', code: '-' };
      } catch (error) {
        return refusal(error, rec.calls() === 0 ? 'refused, not sent' : 'refused after sending');
      }
    },
  },
  {
    name: 'cross-origin redirect',
    expected: { outcome: 'refused, not followed', code: 'redirect_cross_origin' },
    run: async (ctx) => {
      const before = ctx.servers.otherHits();
      try {
        await signer(ctx)(`${ctx.servers.api}/redirect`);
        return { outcome: 'followed', code: '-' };
      } catch (error) {
        return refusal(error, ctx.servers.otherHits() === before ? 'refused, not followed' : 'refused after following');
      }
    },
  },
  {
    name: 'cross-origin redirect, follow-unsigned',
    expected: { outcome: 'followed, unsigned', code: '-' },
    run: async (ctx) => {
      const response = await signer(ctx, { redirect: { crossOrigin: 'follow-unsigned' } })(`${ctx.servers.api}/redirect`);
      const { sawSignature } = (await response.json()) as { sawSignature: boolean };
      return { outcome: sawSignature ? 'followed, SIGNATURE SENT' : 'followed, unsigned', code: '-' };
    },
  },
];
