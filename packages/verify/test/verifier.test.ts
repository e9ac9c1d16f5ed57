// verifier.verify() on core's request shape: each step of SPEC.md section 4,
// its failure code and status, and the order in which they run.
import { generateNonce, importKey } from '@sigil/core';
import { describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type NonceStore, type VerifierOptions } from '../src/index.js';
import { CountingStore, HOST, header, lazyBody, signed, withHeader } from './helpers/requests.js';
import { breakMac, KEY, KEY_ID, nowSeconds, OTHER_KEY } from './helpers/sign.js';

function verifier(options: Partial<VerifierOptions> = {}) {
  const store = new CountingStore();
  return { store, verifier: createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store, ...options }) };
}

describe('verify: accepted requests', () => {
  it('accepts a signed request and reports who signed it, without nonce or MAC', async () => {
    const { verifier: v } = verifier();
    const request = signed();
    const result = await v.verify(request);
    expect(result).toMatchObject({ ok: true, keyId: KEY_ID, keyIndex: 0, algorithm: 'hmac-sha256', signedHeaders: ['content-type', 'host'] });
    if (!result.ok) throw new Error('unreachable');
    expect(new TextDecoder().decode(result.body)).toBe('{"qty":1}');
    const sig = header(request, 'sigil-signature');
    const nonce = /nonce=([^;]+)/.exec(sig)![1]!;
    const mac = /mac=([^;]+)/.exec(sig)![1]!;
    const text = JSON.stringify({ ...result, body: undefined });
    expect(text).not.toContain(nonce);
    expect(text).not.toContain(mac);
  });

  it('verifies every method, HEAD and OPTIONS included, and bodiless requests', async () => {
    const { verifier: v } = verifier();
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH', 'PROPFIND']) {
      expect((await v.verify(signed({ method, body: '' }))).ok, method).toBe(true);
      const unsigned = { method, target: '/', headers: [['host', HOST]] as const, remoteAddress: '127.0.0.1' };
      expect(await v.verify(unsigned)).toMatchObject({ ok: false, code: 'signature_missing', status: 401 });
    }
  });

  it('accepts every key of a rotating id and reports which one matched', async () => {
    const { verifier: v } = verifier({ keys: { [KEY_ID]: [OTHER_KEY, KEY] } });
    expect(await v.verify(signed())).toMatchObject({ ok: true, keyIndex: 1 });
    expect(await v.verify(signed({ key: OTHER_KEY }))).toMatchObject({ ok: true, keyIndex: 0 });
  });

  it('reads keys from an async resolver, given any id', async () => {
    const seen: string[] = [];
    const { verifier: v } = verifier({
      keys: async (id) => {
        seen.push(id);
        return id === KEY_ID ? [{ key: KEY }] : undefined;
      },
    });
    expect((await v.verify(signed())).ok).toBe(true);
    expect(await v.verify(signed({ options: { keyId: 'nobody' } }))).toMatchObject({ code: 'key_unknown', publicCode: 'signature_invalid' });
    expect(seen).toEqual([KEY_ID, 'nobody']);
  });
});

describe('verify: one failure per step', () => {
  it('1 transport: plain HTTP from a remote peer is refused (403); TLS, loopback and allowInsecureHttp pass', async () => {
    const { verifier: v } = verifier();
    const remote = { remoteAddress: '203.0.113.7' };
    expect(await v.verify(signed({}, remote))).toMatchObject({ ok: false, code: 'insecure_transport', status: 403 });
    expect((await v.verify(signed({}, { ...remote, secure: true }))).ok).toBe(true);
    for (const address of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) {
      expect((await v.verify(signed({}, { remoteAddress: address }))).ok, address).toBe(true);
    }
    for (const address of ['128.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1', '127.0.0.1.evil', '::2', '']) {
      expect((await v.verify(signed({}, { remoteAddress: address }))).ok, address).toBe(false);
    }
    expect(await verifier({ allowInsecureHttp: true }).verifier.verify(signed({}, remote))).toMatchObject({ ok: true });
    expect(await verifier({ requireHttps: false }).verifier.verify(signed({}, remote))).toMatchObject({ ok: true });
  });

  it('1 transport: X-Forwarded-Proto counts only with trustProxy, and then loopback is no exemption', async () => {
    const plain = verifier().verifier;
    const forwarded = (value: string) => withHeader(signed({}, { remoteAddress: '10.0.0.2' }), 'x-forwarded-proto', value);
    expect(await plain.verify(forwarded('https'))).toMatchObject({ code: 'insecure_transport' });

    const proxied = verifier({ trustProxy: true }).verifier;
    expect((await proxied.verify(forwarded('https'))).ok).toBe(true);
    expect((await proxied.verify(forwarded('HTTPS, https'))).ok).toBe(true);
    expect(await proxied.verify(forwarded('http'))).toMatchObject({ code: 'insecure_transport' });
    expect(await proxied.verify(forwarded('https, http'))).toMatchObject({ code: 'insecure_transport' });
    expect(await proxied.verify(signed({}, { remoteAddress: '127.0.0.1' }))).toMatchObject({ code: 'insecure_transport' });
    expect((await proxied.verify(signed({}, { remoteAddress: '127.0.0.1', secure: true }))).ok).toBe(true);
    const tlsButForwardedHttp = withHeader(signed({}, { secure: true }), 'x-forwarded-proto', 'http');
    expect(await proxied.verify(tlsButForwardedHttp)).toMatchObject({ code: 'insecure_transport' });
  });

  it('2 a signature in the query is refused before the header is looked at', async () => {
    const { verifier: v } = verifier();
    const request = signed({ target: '/x?Sigil-Signature=v%3D1' });
    expect(await v.verify(request)).toMatchObject({ code: 'signature_in_query', status: 401 });
    expect(await v.verify({ ...request, headers: [['host', HOST]] })).toMatchObject({ code: 'signature_in_query' });
  });

  it('3 exactly one Sigil-Signature field line', async () => {
    const { verifier: v } = verifier();
    const request = signed();
    const sig = header(request, 'sigil-signature');
    const twice = { ...request, headers: [...(request.headers as [string, string][]), ['Sigil-Signature', sig] as [string, string]] };
    expect(await v.verify(twice)).toMatchObject({ code: 'signature_header_malformed' });
    const joined = new Headers(twice.headers as [string, string][]);
    expect(await v.verify({ ...request, headers: joined })).toMatchObject({ code: 'signature_header_malformed' });
  });

  it('4 parse: malformed, unsupported version and algorithm', async () => {
    const { verifier: v } = verifier();
    const request = signed();
    const sig = header(request, 'sigil-signature');
    expect(await v.verify(withHeader(request, 'sigil-signature', 'garbage'))).toMatchObject({ code: 'signature_header_malformed' });
    expect(await v.verify(withHeader(request, 'sigil-signature', sig.replace('v=1', 'v=2')))).toMatchObject({ code: 'unsupported_version' });
    const alg = sig.replace('alg=hmac-sha256', 'alg=hmac-md5');
    expect(await v.verify(withHeader(request, 'sigil-signature', alg))).toMatchObject({ code: 'unsupported_algorithm' });
    expect(await v.verify(withHeader(request, 'sigil-signature', `${sig};${'x'.repeat(5000)}`))).toMatchObject({ code: 'signature_header_malformed' });
  });

  it('5 timestamp: the window holds both ways, inclusive, and the rejection carries the server time', async () => {
    const now = 1_700_000_000;
    const clock = () => now * 1000 + 999;
    const store = new MemoryNonceStore({ clock });
    const v = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store, clock, toleranceSeconds: 60 });
    for (const ts of [now - 60, now, now + 60]) expect((await v.verify(signed({ options: { timestamp: ts } }))).ok, String(ts)).toBe(true);
    for (const ts of [now - 61, now + 61, 0]) {
      expect(await v.verify(signed({ options: { timestamp: ts } }))).toEqual({
        ok: false, code: 'timestamp_out_of_window', status: 401, publicCode: 'timestamp_out_of_window', serverTime: now,
      });
    }
  });

  it('6 coverage: host and every required header must be signed', async () => {
    const { verifier: v } = verifier({ requiredHeaders: ['Content-Type', 'X-Tenant'] });
    expect(await v.verify(signed())).toMatchObject({ code: 'header_not_signed' });
    expect((await v.verify(signed({ headers: { 'x-tenant': 't1' } }))).ok).toBe(true);
  });

  it('7 key lookup: unknown ids and keys outside notBefore/notAfter answer like a bad MAC', async () => {
    const now = nowSeconds();
    const { verifier: v } = verifier({
      keys: {
        [KEY_ID]: [{ key: KEY, notBefore: now + 100 }],
        old: { key: KEY, notAfter: new Date((now - 100) * 1000) },
        current: { key: KEY, notBefore: new Date((now - 100) * 1000), notAfter: now + 100 },
      },
    });
    for (const keyId of [KEY_ID, 'old', 'nobody']) {
      const body = lazyBody(new Uint8Array());
      const result = await v.verify({ ...signed({ options: { keyId } }), body: body.read });
      expect(result, keyId).toEqual({ ok: false, code: 'key_unknown', status: 401, publicCode: 'signature_invalid' });
      expect(body.calls, 'the body is read as for a known key id').toEqual([1024 * 1024]);
    }
    expect((await v.verify(signed({ options: { keyId: 'current' } }))).ok).toBe(true);
  });

  it('8 body: a declared Content-Length over the cap is refused unread; a longer stream is refused', async () => {
    const { verifier: v } = verifier({ maxBodyBytes: 8 });
    const request = signed({ body: '{"qty":1}' }); // 9 bytes
    const body = lazyBody(new Uint8Array(9));
    const declared = withHeader({ ...request, body: body.read }, 'content-length', '9');
    expect(await v.verify(declared)).toMatchObject({ code: 'body_too_large', status: 413 });
    expect(body.calls).toEqual([]);
    expect(await v.verify(request)).toMatchObject({ code: 'body_too_large' });
    const reader = lazyBody(new Uint8Array(9));
    expect(await v.verify({ ...request, body: reader.read })).toMatchObject({ code: 'body_too_large' });
    expect(reader.calls).toEqual([8]);
    const failing = { ...request, body: () => Promise.reject(new Error('socket hang up')) };
    expect(await verifier().verifier.verify(failing)).toMatchObject({ code: 'body_read_failed', status: 400 });
  });

  it('9 canonical string: a signed header that is absent, a bad target', async () => {
    const { verifier: v } = verifier();
    const request = signed();
    const lines = (request.headers as [string, string][]).filter(([n]) => n !== 'content-type');
    expect(await v.verify({ ...request, headers: lines })).toMatchObject({ code: 'signed_header_missing' });
    expect(await v.verify({ ...request, target: 'http://x/v1' })).toMatchObject({ code: 'target_invalid' });
  });

  it('10 MAC: a changed MAC, body, target, method or signed header is signature_invalid', async () => {
    const { verifier: v, store } = verifier();
    const request = signed();
    const variants = [
      withHeader(request, 'sigil-signature', breakMac(header(request, 'sigil-signature'))),
      { ...request, body: new TextEncoder().encode('{"qty":2}') },
      { ...request, target: '/v1/orders?dry_run=0' },
      { ...request, method: 'PUT' },
      withHeader(request, 'content-type', 'text/plain'),
      signed({ key: importKey(new Uint8Array(32).fill(1)) }),
    ];
    for (const variant of variants) expect(await v.verify(variant)).toMatchObject({ code: 'signature_invalid', status: 401 });
    expect(store.calls).toBe(0);
  });

  it('11 scope: methods and whole path segments of the matching key, checked after the MAC', async () => {
    const scope = { methods: ['POST'], pathPrefixes: ['/v1/orders'] };
    const { verifier: v, store } = verifier({ keys: { [KEY_ID]: { key: KEY, scope } } });
    expect((await v.verify(signed({ target: '/v1/orders' }))).ok).toBe(true);
    expect((await v.verify(signed({ target: '/v1/orders/7?x=1' }))).ok).toBe(true);
    for (const target of ['/v1/orders-admin', '/v1/orders/../admin', '/v1/orders/%2E%2e/admin', '/v2']) {
      expect(await v.verify(signed({ target })), target).toMatchObject({ code: 'key_scope_denied', status: 403 });
    }
    expect(await v.verify(signed({ method: 'PUT' }))).toMatchObject({ code: 'key_scope_denied' });
    const forged = signed({ method: 'PUT', key: OTHER_KEY });
    expect(await v.verify(forged)).toMatchObject({ code: 'signature_invalid' });
    expect(store.calls).toBe(2);
  });

  it('12 nonce: a replay is refused, a full store answers 503, a failing store fails closed', async () => {
    const { verifier: v } = verifier();
    const request = signed();
    expect((await v.verify(request)).ok).toBe(true);
    expect(await v.verify(request)).toMatchObject({ code: 'nonce_replayed', status: 401 });

    const full = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore({ maxEntries: 1 }) });
    expect((await full.verify(signed())).ok).toBe(true);
    expect(await full.verify(signed())).toMatchObject({ code: 'nonce_store_full', status: 503 });

    const broken = (checkAndStore: NonceStore['checkAndStore']) => createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: { checkAndStore } });
    expect(await broken(() => Promise.reject(new Error('ECONNREFUSED'))).verify(signed())).toMatchObject({ code: 'nonce_store_unavailable', status: 503 });
    expect(await broken(() => Promise.resolve(undefined as unknown as boolean)).verify(signed())).toMatchObject({ code: 'nonce_store_unavailable' });
  });

  it('12 nonce: stores (kid, nonce) until ts + tolerance has passed on the verifier clock', async () => {
    const calls: Array<[string, string, number]> = [];
    const ts = nowSeconds();
    const v = createVerifier({
      keys: { [KEY_ID]: KEY },
      toleranceSeconds: 120,
      nonceStore: { checkAndStore: async (...args) => (calls.push(args), true) },
    });
    const nonce = generateNonce();
    await v.verify(signed({ options: { timestamp: ts, nonce } }));
    expect(calls).toEqual([[KEY_ID, nonce, (ts + 121) * 1000]]);
  });

  it('runs without a store only when replay: false is explicit', async () => {
    const v = createVerifier({ keys: { [KEY_ID]: KEY }, replay: false });
    const request = signed();
    expect((await v.verify(request)).ok).toBe(true);
    expect((await v.verify(request)).ok).toBe(true);
  });

  it('fails closed on a resolver failure (key_lookup_unavailable, 503) and rejects a resolver bug', async () => {
    const { verifier: v } = verifier({ keys: () => Promise.reject(new Error('db down')) });
    expect(await v.verify(signed())).toEqual({ ok: false, code: 'key_lookup_unavailable', status: 503, publicCode: 'key_lookup_unavailable' });
    const sync = verifier({ keys: () => { throw new Error('db down'); } }).verifier;
    expect(await sync.verify(signed())).toMatchObject({ ok: false, code: 'key_lookup_unavailable', status: 503 });
    const junk = verifier({ keys: () => 'not a key' as never }).verifier;
    await expect(junk.verify(signed())).rejects.toMatchObject({ code: 'invalid_option' });
  });
});
