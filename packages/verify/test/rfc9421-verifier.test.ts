// createVerifier with schemes including 'rfc9421', on core's request shape:
// scheme dispatch, each step of the one pipeline (SPEC.md sections 4 and
// 9.10) with its code, and the shared key, clock and nonce policy.
import { generateNonce } from '@sigil/core';
import { rfc9421Key, signRfc9421, type SignRfc9421Options } from '@sigil/core/rfc9421';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createVerifier,
  type Rfc9421VerifierOptions,
  type SignatureScheme,
  type VerificationSuccess,
  type VerifierEvent,
  type VerifierOptions,
  type VerifierRequest,
} from '../src/index.js';
import { CountingStore, HOST, lazyBody, signed as signedV1 } from './helpers/requests.js';
import { KEY, KEY_ID, nowSeconds, OTHER_KEY } from './helpers/sign.js';

const enc = (s: string) => new TextEncoder().encode(s);

interface Input {
  method?: string;
  target?: string;
  body?: string;
  headers?: [string, string][];
  key?: typeof KEY;
  options?: Partial<SignRfc9421Options>;
  scheme?: 'http' | 'https';
}

/** A request signed with core's signRfc9421, as an adapter hands it over from a loopback peer. */
function signed(input: Input = {}, extra: Partial<VerifierRequest> = {}): VerifierRequest {
  const method = input.method ?? 'POST';
  const target = input.target ?? '/v1/orders?dry_run=1';
  const body = enc(input.body ?? '{"qty":1}');
  const headers: [string, string][] = [['host', HOST], ...(body.length ? [['content-type', 'application/json'] as [string, string]] : []), ...(input.headers ?? [])];
  const r = signRfc9421({ method, target, headers, body, scheme: input.scheme ?? 'http' }, rfc9421Key(input.key ?? KEY), {
    keyid: KEY_ID,
    created: nowSeconds(),
    ...input.options,
  });
  const sent: [string, string][] = [...headers, ['signature-input', r.signatureInput], ['signature', r.signature]];
  if (r.contentDigest) sent.push(['content-digest', r.contentDigest]);
  return { method, target, headers: sent, body, remoteAddress: '127.0.0.1', ...extra };
}

function replace(request: VerifierRequest, name: string, value: string | null): VerifierRequest {
  const lines = (request.headers as [string, string][]).filter(([n]) => n !== name);
  return { ...request, headers: value === null ? lines : [...lines, [name, value]] };
}

function verifier(options: Partial<VerifierOptions> = {}) {
  const store = new CountingStore();
  return { store, verifier: createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store, schemes: ['rfc9421'], ...options }) };
}

describe('rfc9421 scheme: accepted requests', () => {
  it('accepts a signed request and reports the scheme, components and label, without nonce or MAC', async () => {
    const request = signed({ options: { label: 'mine', nonce: generateNonce() } });
    const result = await verifier().verifier.verify(request);
    expect(result).toMatchObject({
      ok: true,
      scheme: 'rfc9421',
      keyId: KEY_ID,
      keyIndex: 0,
      algorithm: 'hmac-sha256',
      label: 'mine',
      components: ['"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"', '"content-type"'],
      signedHeaders: ['content-digest', 'content-type'],
    });
    if (!result.ok) throw new Error('unreachable');
    expect(Math.abs(result.timestamp - nowSeconds())).toBeLessThanOrEqual(1);
    expect(new TextDecoder().decode(result.body)).toBe('{"qty":1}');
    const input = (request.headers as [string, string][]).find(([n]) => n === 'signature-input')![1];
    const nonce = /nonce="([^"]+)"/.exec(input)![1]!;
    const mac = (request.headers as [string, string][]).find(([n]) => n === 'signature')![1].slice(6, -1);
    const text = JSON.stringify({ ...result, body: undefined });
    expect(text).not.toContain(nonce);
    expect(text).not.toContain(mac);
  });

  it('accepts bodiless requests of every method, and reports keyIndex under rotation', async () => {
    const { verifier: v } = verifier({ keys: { [KEY_ID]: [OTHER_KEY, KEY] } });
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE']) {
      expect(await v.verify(signed({ method, body: '' })), method).toMatchObject({ ok: true, keyIndex: 1 });
    }
    expect(await v.verify(signed({ key: OTHER_KEY }))).toMatchObject({ ok: true, keyIndex: 0 });
  });

  it('reports expires when the signature has one', async () => {
    const created = nowSeconds();
    expect(await verifier().verifier.verify(signed({ options: { created, expires: created + 30 } }))).toMatchObject({ ok: true, expires: created + 30 });
  });
});

describe('scheme dispatch', () => {
  it("v1 only by default: an RFC 9421 request is signature_missing", async () => {
    const v = createVerifier({ keys: { [KEY_ID]: KEY }, replay: false });
    expect(await v.verify(signed())).toMatchObject({ ok: false, code: 'signature_missing', status: 401 });
  });

  it("rfc9421 only: a v1 request is signature_missing", async () => {
    expect(await verifier().verifier.verify(signedV1())).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('both: each scheme verifies, and a request carrying both signatures is refused as ambiguous', async () => {
    const { verifier: v } = verifier({ schemes: ['v1', 'rfc9421'] });
    expect(await v.verify(signedV1())).toMatchObject({ ok: true, scheme: 'v1' });
    expect(await v.verify(signed())).toMatchObject({ ok: true, scheme: 'rfc9421' });
    const v1 = signedV1();
    const sigil = (v1.headers as [string, string][]).find(([n]) => n === 'sigil-signature')![1];
    expect(await v.verify(replace(signed(), 'sigil-signature', sigil))).toMatchObject({ ok: false, code: 'signature_header_malformed' });
    // A field of a scheme the verifier does not accept is ignored.
    expect(await verifier({ schemes: ['v1'] }).verifier.verify(replace(signedV1(), 'signature-input', 'x=();created=1'))).toMatchObject({ ok: true });
  });
});

describe('rfc9421 scheme: one failure per step', () => {
  it('4 parse: created, nonce and keyid are required; alg must be known', async () => {
    const { verifier: v } = verifier();
    expect(await v.verify(signed({ options: { nonce: false } }))).toMatchObject({ code: 'signature_header_malformed' });
    expect(await v.verify(signed({ options: { nonce: 'short' } }))).toMatchObject({ code: 'signature_header_malformed' });
    expect(await v.verify(signed({ options: { keyid: 'has space' } }))).toMatchObject({ code: 'key_unknown', publicCode: 'signature_invalid' });
    const request = signed();
    const input = (request.headers as [string, string][]).find(([n]) => n === 'signature-input')![1];
    expect(await v.verify(replace(request, 'signature-input', input.replace(/;created=\d+/, '')))).toMatchObject({ code: 'signature_header_malformed' });
    expect(await v.verify(replace(request, 'signature-input', input.replace('hmac-sha256', 'ed25519')))).toMatchObject({ code: 'unsupported_algorithm' });
    expect(await v.verify(replace(request, 'signature', 'sig1=:bm90IGJhc2U2NA'))).toMatchObject({ code: 'signature_header_malformed' });
    expect(await v.verify(replace(request, 'signature', null))).toMatchObject({ code: 'signature_missing' });
  });

  it('5 window: created too old or too new, and a past expires, answer with the server time', async () => {
    const { verifier: v } = verifier({ toleranceSeconds: 60 });
    const now = nowSeconds();
    for (const options of [{ created: now - 61 }, { created: now + 61 }, { created: now - 10, expires: now - 1 }]) {
      const result = await v.verify(signed({ options }));
      expect(result, JSON.stringify(options)).toMatchObject({ ok: false, code: 'timestamp_out_of_window', status: 401 });
      if (result.ok) throw new Error('unreachable');
      expect(Math.abs(result.serverTime! - now)).toBeLessThanOrEqual(1);
    }
    expect(await v.verify(signed({ options: { created: now - 10, expires: now + 5 } }))).toMatchObject({ ok: true });
  });

  it('6 coverage: a missing default component, or a required header, is header_not_signed before the body is read', async () => {
    const { verifier: v } = verifier({ requiredHeaders: ['x-request-id'] });
    const body = lazyBody(enc('{"qty":1}'));
    const partial = signed({ options: { components: ['@method', '@authority', '@path', 'content-digest', 'content-type'] } }, { body: body.read });
    expect(await v.verify(partial)).toMatchObject({ code: 'header_not_signed' });
    // No Content-Digest covered, and the head announces content: refused before the body is read.
    const undigested = signed({ headers: [['x-request-id', 'r1']], options: { components: ['@method', '@authority', '@path', '@query', 'content-type', 'x-request-id'], contentDigest: false } }, { body: body.read });
    for (const announce of [['content-length', '9'], ['transfer-encoding', 'chunked']] as [string, string][]) {
      expect(await v.verify({ ...undigested, headers: [...(undigested.headers as [string, string][]), announce] }), announce[0]).toMatchObject({ code: 'header_not_signed' });
    }
    expect(body.calls).toEqual([]);
    const noId = signed({ headers: [['x-request-id', 'r1']] });
    expect(await v.verify(noId)).toMatchObject({ code: 'header_not_signed' });
    const withId = signed({ headers: [['x-request-id', 'r1']], options: { components: ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type', 'x-request-id'] } });
    expect(await v.verify(withId)).toMatchObject({ ok: true, signedHeaders: ['content-digest', 'content-type', 'x-request-id'] });
  });

  it('6 coverage: content without a covered Content-Digest is refused, even when the head does not announce it', async () => {
    const { verifier: v } = verifier();
    const request = signed({ options: { components: ['@method', '@authority', '@path', '@query', 'content-type'], contentDigest: false } });
    expect(await v.verify(request)).toMatchObject({ code: 'header_not_signed' });
  });

  it('6 coverage: requiredComponents replaces the base list, never the content components', async () => {
    const { verifier: v } = verifier({ rfc9421: { requiredComponents: ['@method', '@target-uri'] } });
    expect(await v.verify(signed({ options: { components: ['@method', '@target-uri', 'content-digest', 'content-type'] } }))).toMatchObject({ ok: true });
    expect(await v.verify(signed({ options: { components: ['@method', '@target-uri', 'content-type'] } }))).toMatchObject({ code: 'header_not_signed' });
    expect(await v.verify(signed({ options: { components: ['@method', '@target-uri', 'content-digest'] } }))).toMatchObject({ code: 'header_not_signed' });
    expect(await v.verify(signed())).toMatchObject({ code: 'header_not_signed' });
  });

  it('6 coverage: the content components are dropped only by name (allowUnsignedContent, allowUnsignedContentType)', async () => {
    const { verifier: noDigest } = verifier({ rfc9421: { requiredComponents: ['@method', '@target-uri'], allowUnsignedContent: true } });
    expect(await noDigest.verify(signed({ options: { components: ['@method', '@target-uri', 'content-type'], contentDigest: false } }))).toMatchObject({ ok: true });
    const { verifier: neither } = verifier({ allowUnsignedContentType: true, rfc9421: { allowUnsignedContent: true } });
    expect(await neither.verify(signed({ options: { components: ['@method', '@authority', '@path', '@query'], contentDigest: false } }))).toMatchObject({ ok: true });
  });

  it('7 keys: unknown keyid is key_unknown, a failing resolver key_lookup_unavailable', async () => {
    expect(await verifier().verifier.verify(signed({ options: { keyid: 'nobody' } }))).toMatchObject({ code: 'key_unknown' });
    const down = verifier({ keys: () => Promise.reject(new Error('down')) }).verifier;
    expect(await down.verify(signed())).toMatchObject({ code: 'key_lookup_unavailable', status: 503 });
  });

  it('8 body: the same cap as v1', async () => {
    const { verifier: v } = verifier({ maxBodyBytes: 4 });
    expect(await v.verify(signed())).toMatchObject({ code: 'body_too_large', status: 413 });
  });

  it('10 MAC and Content-Digest: a changed body is content_digest_mismatch, a recomputed digest signature_invalid', async () => {
    const { verifier: v, store } = verifier();
    const request = signed();
    const other = enc('{"qty":9}');
    expect(await v.verify({ ...request, body: other })).toMatchObject({ code: 'content_digest_mismatch', status: 401 });
    const digest = `sha-256=:${Buffer.from(await crypto.subtle.digest('SHA-256', other)).toString('base64')}:`;
    expect(await v.verify({ ...replace(request, 'content-digest', digest), body: other })).toMatchObject({ code: 'signature_invalid' });
    expect(await v.verify(signed({ key: OTHER_KEY }))).toMatchObject({ code: 'signature_invalid' });
    expect(store.calls).toBe(0);
  });

  it('11 scope: the matching key may be limited to methods and paths', async () => {
    const { verifier: v } = verifier({ keys: { [KEY_ID]: { key: KEY, scope: { methods: ['GET'] } } } });
    expect(await v.verify(signed())).toMatchObject({ code: 'key_scope_denied', status: 403 });
  });

  it('12 nonce: a replay is refused through the same store, and one (keyid, nonce) pair serves one request of either scheme', async () => {
    const { verifier: v, store } = verifier({ schemes: ['v1', 'rfc9421'] });
    const request = signed();
    expect((await v.verify(request)).ok).toBe(true);
    expect(await v.verify(request)).toMatchObject({ ok: false, code: 'nonce_replayed', status: 401 });
    const nonce = generateNonce();
    expect((await v.verify(signed({ options: { nonce } }))).ok).toBe(true);
    expect(await v.verify(signedV1({ options: { nonce } }))).toMatchObject({ code: 'nonce_replayed' });
    expect(store.calls).toBe(4);
  });

  it('12 nonce: the store keeps the pair until created + tolerance + 1', async () => {
    const calls: unknown[][] = [];
    const created = nowSeconds() - 5;
    const nonce = generateNonce();
    const v = createVerifier({
      keys: { [KEY_ID]: KEY },
      schemes: ['rfc9421'],
      toleranceSeconds: 120,
      nonceStore: { checkAndStore: async (...args) => (calls.push(args), true) },
    });
    expect((await v.verify(signed({ options: { created, nonce } }))).ok).toBe(true);
    expect(calls).toEqual([[KEY_ID, nonce, (created + 121) * 1000]]);
  });
});

describe('rfc9421 scheme: transport, scheme and debug', () => {
  it('@scheme reads the connection, or X-Forwarded-Proto only behind a trusted proxy', async () => {
    const components = ['@method', '@scheme', '@authority', '@path', '@query', 'content-digest', 'content-type'];
    const https = signed({ scheme: 'https', options: { components } });
    expect(await verifier().verifier.verify({ ...https, secure: true })).toMatchObject({ ok: true });
    expect(await verifier().verifier.verify(https)).toMatchObject({ code: 'signature_invalid' });
    const forwarded = replace(signed({ scheme: 'https', options: { components } }), 'x-forwarded-proto', 'https');
    expect(await verifier({ trustProxy: true }).verifier.verify(forwarded)).toMatchObject({ ok: true });
    expect(await verifier().verifier.verify(forwarded)).toMatchObject({ code: 'signature_invalid' });
  });

  it('debug mode returns the signature base on a MAC failure, never otherwise', async () => {
    const request = signed({ key: OTHER_KEY });
    const debug = await verifier({ debug: true }).verifier.verify(request);
    expect(debug).toMatchObject({ code: 'signature_invalid' });
    expect(!debug.ok && debug.canonical).toMatch(/^"@method": POST\n"@authority": api\.example\.com\n/);
    const quiet = await verifier().verifier.verify(request);
    expect(quiet).not.toHaveProperty('canonical');
  });

  it('emits one event with the keyid, never the nonce', async () => {
    const events: VerifierEvent[] = [];
    const { verifier: v } = verifier({ onEvent: (e) => events.push(e) });
    await v.verify(signed({ key: OTHER_KEY }));
    expect(events).toMatchObject([{ type: 'rejected', code: 'signature_invalid', keyId: KEY_ID, method: 'POST', path: '/v1/orders' }]);
  });
});

describe('rfc9421 options', () => {
  it.each([
    ['rfc9421 without the scheme', { rfc9421: {} }, /rfc9421 is given/],
    ['a repeated scheme', { schemes: ['v1', 'v1'] }, /schemes/],
    ['an unknown scheme', { schemes: ['cavage'] }, /schemes/],
    ['no scheme', { schemes: [] }, /schemes/],
    ['a bad component', { schemes: ['rfc9421'], rfc9421: { requiredComponents: ['@method', 'Content-Type'] } }, /rfc9421\.requiredComponents\.1/],
    ['an unknown rfc9421 option', { schemes: ['rfc9421'], rfc9421: { requiredParams: [] } }, /rfc9421/],
  ])('refuses %s with invalid_option naming it', (_name, options, message) => {
    expect(() => createVerifier({ keys: {}, replay: false, ...(options as Partial<VerifierOptions>) })).toThrow(message);
  });
});

describe('rfc9421 public types', () => {
  it('types the scheme option and the scheme of a success', () => {
    expectTypeOf<VerifierOptions['schemes']>().toEqualTypeOf<readonly SignatureScheme[] | undefined>();
    expectTypeOf<VerifierOptions['rfc9421']>().toEqualTypeOf<Rfc9421VerifierOptions | undefined>();
    expectTypeOf<VerificationSuccess['scheme']>().toEqualTypeOf<'v1' | 'rfc9421'>();
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('nonce');
  });
});
