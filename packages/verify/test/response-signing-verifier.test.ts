// The verifier's response hook (SPEC.md section 11.5), without a socket:
// which results are bound (every answer after the MAC passed, and a stale
// timestamp whose MAC is valid) and which are not; the failure code never
// depends on binding; the result stays free of nonce and MAC; a webhook is
// never response-signed; signResponse's headers; the Accept-Signature value
// (SPEC.md section 9.13); the adapters' signResponses option, refused by name.
import { inspect } from 'node:util';
import { parseResponseSignatureHeader, SigilError, verifyResponse, type HeaderList } from '@sigil/core';
import { stripeScheme } from '@sigil/core/webhooks';
import { describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type NonceStore, type VerificationResult, type VerifierRequest } from '../src/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { header, signed } from './helpers/requests.js';
import { stripeHeaders } from './helpers/deliveries.js';
import { KEY, KEY_ID, OTHER_KEY } from './helpers/sign.js';

const NOW = Date.now();
const verifierAt = (offsetMs = 0, store: NonceStore = new MemoryNonceStore(), extra: object = {}) =>
  createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store, clock: () => NOW + offsetMs, ...extra });

const json = (status: number): { status: number; headers: HeaderList; body: Uint8Array } => ({
  status,
  headers: [['content-type', 'application/json']],
  body: new TextEncoder().encode('{}'),
});

/** The request's own nonce and MAC, as the client kept them. */
const boundTo = (request: VerifierRequest) => {
  const value = header(request, 'sigil-signature');
  return { nonce: /nonce=([^;]+)/.exec(value)![1]!, mac: /mac=([^;]+)/.exec(value)![1]! };
};

async function both(verifier: ReturnType<typeof verifierAt>, make: () => VerifierRequest): Promise<[VerificationResult, VerificationResult]> {
  return [await verifier.verify(make()), await verifier.verify(make(), { bindResponse: true })];
}

describe('which answers are bound (signed) and which are plainly unsigned', () => {
  it('a verified request is bound, and the signature verifies against that request', async () => {
    const verifier = verifierAt();
    const request = signed();
    const result = await verifier.verify(request, { bindResponse: true });
    expect(result.ok).toBe(true);
    const fields = verifier.signResponse(result, json(200))!;
    expect(fields.map(([name]) => name)).toEqual(['sigil-response-signature']);
    const response = { ...json(200), headers: [...json(200).headers, ...fields] };
    expect(verifyResponse(response, KEY, { request: boundTo(request) }).ok).toBe(true);
  });

  it('nonce_replayed and key_scope_denied come after the MAC: bound', async () => {
    const verifier = verifierAt();
    const request = signed();
    await verifier.verify(request);
    const replay = await verifier.verify(request, { bindResponse: true });
    expect(replay.ok ? 'ok' : replay.code).toBe('nonce_replayed');
    expect(verifier.signResponse(replay, json(401))).toHaveLength(1);
    const scoped = createVerifier({ keys: { [KEY_ID]: { key: KEY, scope: { methods: ['GET'] } } }, nonceStore: new MemoryNonceStore() });
    const denied = await scoped.verify(signed(), { bindResponse: true });
    expect(denied.ok ? 'ok' : denied.code).toBe('key_scope_denied');
    expect(scoped.signResponse(denied, json(403))).toHaveLength(1);
  });

  it('a store failure (503) is bound', async () => {
    const verifier = verifierAt(0, { checkAndStore: () => Promise.reject(new Error('down')) });
    const result = await verifier.verify(signed(), { bindResponse: true });
    expect(result.ok ? 'ok' : result.code).toBe('nonce_store_unavailable');
    expect(verifier.signResponse(result, json(503))).toHaveLength(1);
  });

  it('a stale timestamp with a valid MAC is bound, with a bad MAC or an unknown key it is not; the code is the same either way', async () => {
    const verifier = verifierAt(600_000);
    const [plain, bound] = await both(verifier, () => signed());
    expect(plain.ok ? 'ok' : [plain.code, plain.serverTime]).toEqual(['timestamp_out_of_window', Math.floor((NOW + 600_000) / 1000)]);
    expect(bound).toEqual(plain);
    expect(verifier.signResponse(plain, json(401))).toBeUndefined();
    const withTime: HeaderList = [['content-type', 'application/json'], ['sigil-server-time', '1']];
    const [field] = verifier.signResponse(bound, { ...json(401), headers: withTime })!;
    expect(parseResponseSignatureHeader(field![1]).headers).toEqual(['content-type', 'sigil-server-time']);
    const forged = await verifier.verify(signed({ key: OTHER_KEY }), { bindResponse: true });
    expect(forged.ok ? 'ok' : forged.code).toBe('timestamp_out_of_window');
    expect(verifier.signResponse(forged, json(401))).toBeUndefined();
    const stranger = await createVerifier({ keys: { other: KEY }, nonceStore: new MemoryNonceStore(), clock: () => NOW + 600_000 }).verify(signed(), { bindResponse: true });
    expect(stranger.ok ? 'ok' : stranger.code).toBe('timestamp_out_of_window');
  });

  it('a required header left unsigned (the 401 an Accept-Signature retry answers) is bound when its MAC is valid, never otherwise; the code is the same', async () => {
    const verifier = verifierAt(0, new MemoryNonceStore(), { requiredHeaders: ['x-tenant'] });
    const [plain, bound] = await both(verifier, () => signed());
    expect(plain.ok ? 'ok' : plain.code).toBe('header_not_signed');
    expect(bound).toEqual(plain);
    expect(verifier.signResponse(plain, json(401))).toBeUndefined();
    const fields = verifier.signResponse(bound, json(401))!;
    expect(fields.map(([name]) => name)).toEqual(['sigil-response-signature']);
    for (const request of [signed({ key: OTHER_KEY }), signed({}, { body: new TextEncoder().encode('{"qty":9}') })]) {
      const result = await verifier.verify(request, { bindResponse: true });
      expect(result.ok ? 'ok' : result.code).toBe('header_not_signed');
      expect(verifier.signResponse(result, json(401))).toBeUndefined();
    }
    // Nothing is stored for a bound early failure: a verifier on the same store without the requirement accepts that very request.
    const store = new MemoryNonceStore();
    const request = signed();
    expect(await verifierAt(0, store, { requiredHeaders: ['x-tenant'] }).verify(request, { bindResponse: true })).toMatchObject({ code: 'header_not_signed' });
    expect((await verifierAt(0, store).verify(request)).ok).toBe(true);
  });

  it('failures before the MAC are never bound: bad MAC, unknown key, body too large, missing signature', async () => {
    const verifier = verifierAt(0, new MemoryNonceStore(), { maxBodyBytes: 4 });
    for (const request of [signed({ key: OTHER_KEY }), signed({ body: 'x'.repeat(10) }), { ...signed(), headers: [['host', 'a']] as HeaderList }]) {
      const result = await verifier.verify(request, { bindResponse: true });
      expect(result.ok).toBe(false);
      expect(verifier.signResponse(result, json(401))).toBeUndefined();
    }
  });

  it('without bindResponse a verified request cannot be signed: a clear invalid_option, not a silent unsigned answer', async () => {
    const verifier = verifierAt();
    const result = await verifier.verify(signed());
    expect(() => verifier.signResponse(result, json(200))).toThrow(SigilError);
  });

  it('a webhook delivery is never response-signed', async () => {
    const secret = 'whsec_test_secret_0123456789';
    const verifier = createVerifier({ schemes: [stripeScheme({ secrets: [secret] })], nonceStore: new MemoryNonceStore() });
    const payload = '{"id":"evt_1"}';
    const result = await verifier.verify(
      { method: 'POST', target: '/hooks', headers: Object.entries(stripeHeaders(secret, payload)), body: new TextEncoder().encode(payload), remoteAddress: '127.0.0.1' },
      { bindResponse: true },
    );
    expect(result.ok).toBe(true);
    expect(verifier.signResponse(result, json(200))).toBeUndefined();
  });
});

describe('the verified result stays free of nonce, MAC and key when bound', () => {
  it('JSON.stringify and util.inspect show none of them', async () => {
    const verifier = verifierAt();
    const request = signed();
    const result = await verifier.verify(request, { bindResponse: true });
    const { nonce, mac } = boundTo(request);
    for (const text of [JSON.stringify(result), inspect(result, { showHidden: true, depth: 9 })]) {
      expect(text).not.toContain(nonce);
      expect(text).not.toContain(mac);
    }
    expect(Object.getOwnPropertySymbols(result)).toEqual([]);
  });
});

describe('signResponse headers', () => {
  it('signs content-type, location, sigil-server-time and accept-signature when present, and options.headers when present', async () => {
    const verifier = verifierAt();
    const result = await verifier.verify(signed(), { bindResponse: true });
    const headers: HeaderList = [['content-type', 'text/plain'], ['location', '/next'], ['etag', '"1"'], ['x-other', 'no']];
    const [field] = verifier.signResponse(result, { status: 302, headers, body: null }, { headers: ['ETag', 'x-absent'] })!;
    expect(parseResponseSignatureHeader(field![1]).headers).toEqual(['content-type', 'etag', 'location']);
  });
});

describe('Accept-Signature (rfc9421.acceptSignature)', () => {
  it('names the label, the required components and the algorithm', () => {
    const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), schemes: ['v1', 'rfc9421'], requiredHeaders: ['x-tenant'], rfc9421: { acceptSignature: true } });
    expect(verifier.acceptSignature).toBe('sig1=("@method" "@authority" "@path" "@query" "x-tenant");alg="hmac-sha256"');
    const custom = createVerifier({
      keys: { [KEY_ID]: KEY },
      nonceStore: new MemoryNonceStore(),
      schemes: ['rfc9421'],
      rfc9421: { acceptSignature: true, label: 'api', tag: 'app-1', requiredComponents: ['@method', '@target-uri'] },
    });
    expect(custom.acceptSignature).toBe('api=("@method" "@target-uri");alg="hmac-sha256";tag="app-1"');
    expect(verifierAt().acceptSignature).toBeUndefined();
  });
});

describe('signResponses option, refused by name', () => {
  const verifier = verifierAt();
  it.each([
    ['a string', 'yes'],
    ['an unknown member', { header: ['etag'] }],
    ['a negative maxBodyBytes', { maxBodyBytes: -1 }],
    ['a bad header name', { headers: ['bad header'] }],
  ])('%s', (_name, value) => {
    expect(() => sigilListener(verifier, () => undefined, { signResponses: value as never })).toThrow(/signResponses/);
    expect(() => sigilFetchHandler(verifier, () => new Response(), { signResponses: value as never })).toThrow(/signResponses/);
  });
  it('needs a verifier that can sign', () => {
    expect(() => sigilListener({ verify: verifier.verify } as never, () => undefined, { signResponses: true })).toThrow(TypeError);
  });
});
