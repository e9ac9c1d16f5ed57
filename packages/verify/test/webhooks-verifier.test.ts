// Webhook schemes in the one pipeline (issue 12, SPEC.md section 10),
// without a socket: every webhook vector through createWebhookVerifier gives
// the vector's answer; what step 12 stores (the scheme's name as the key id,
// the replay key, an expiry of now + retention, read after the body); the
// query check skipped for webhooks only; a verifier that mixes v1 and a
// webhook scheme; and the options, refused by name.
import { SigilError, type HeaderList } from '@sigil/core';
import {
  githubScheme,
  parseWebhookVectorFile,
  signGithubWebhook,
  signStripeWebhook,
  standardWebhooksScheme,
  stripeScheme,
  vectorBytes,
  webhookSchemes,
  type WebhookVector,
} from '@sigil/core/webhooks';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVerifier, createWebhookVerifier, MemoryNonceStore, type NonceStore, type VerifierEvent, type VerifierRequest } from '../src/index.js';
import { signed } from './helpers/requests.js';
import { KEY, KEY_ID } from './helpers/sign.js';

const vectors = (file: string): WebhookVector[] =>
  parseWebhookVectorFile(JSON.parse(readFileSync(new URL(`../../../test-vectors/${file}`, import.meta.url), 'utf8'))).vectors;

const delivery = (headers: HeaderList, body: Uint8Array | string, extra: Partial<VerifierRequest> = {}): VerifierRequest => ({
  method: 'POST',
  target: '/hooks',
  headers,
  body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  remoteAddress: '127.0.0.1',
  ...extra,
});

/** A real memory store that also records what the pipeline asked it to keep. */
class RecordingStore implements NonceStore {
  readonly calls: [string, string, number][] = [];
  readonly inner: MemoryNonceStore;
  constructor(clock?: () => number) {
    this.inner = new MemoryNonceStore(clock ? { clock } : {});
  }
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    this.calls.push([keyId, nonce, expiresAtMs]);
    return this.inner.checkAndStore(keyId, nonce, expiresAtMs);
  }
}

describe('the webhook vectors through createWebhookVerifier', () => {
  it.each(vectors('webhooks-positive.json').map((v) => [v.id, v] as const))('%s is accepted, and its replay key stored for the retention', async (_id, v) => {
    if (v.kind !== 'positive') throw new Error('not positive');
    const scheme = webhookSchemes[v.scheme]({ secrets: v.secrets, ...v.options });
    const nowMs = v.now * 1000 + 250; // the store's expiry counts from the clock, milliseconds included
    const store = new RecordingStore(() => nowMs);
    const verifier = createWebhookVerifier({ schemes: [scheme], nonceStore: store, clock: () => nowMs });
    const request = delivery(v.request.headers, vectorBytes(v.request.body));
    const result = await verifier.verify(request);
    expect(result).toEqual({
      ok: true,
      scheme: v.scheme,
      secretIndex: v.expected.secretIndex,
      idSigned: v.expected.idSigned,
      replaySource: v.expected.replay.source,
      body: vectorBytes(v.request.body),
      // The vectors write an absent timestamp or id as null; a success leaves it out.
      ...(v.expected.timestamp == null ? {} : { timestamp: v.expected.timestamp }),
      ...(v.expected.messageId == null ? {} : { id: v.expected.messageId }),
    });
    expect(store.calls).toEqual([[v.scheme, v.expected.replay.key, nowMs + scheme.retentionSeconds * 1000]]);
    expect(await verifier.verify(request)).toMatchObject({ ok: false, code: 'nonce_replayed', status: 401 });
  });

  it.each(vectors('webhooks-negative.json').map((v) => [v.id, v] as const))('%s is refused with its code, storing nothing', async (_id, v) => {
    if (v.kind !== 'negative') throw new Error('not negative');
    let scheme;
    try {
      scheme = webhookSchemes[v.scheme]({ secrets: v.secrets });
    } catch (error) {
      // A secret that does not read as its scheme says is refused at configuration.
      expect((error as SigilError).code).toBe(v.expected.code);
      return;
    }
    const store = new RecordingStore(() => v.now * 1000);
    const verifier = createWebhookVerifier({ schemes: [scheme], nonceStore: store, clock: () => v.now * 1000 });
    const result = await verifier.verify(delivery(v.request.headers, vectorBytes(v.request.body)));
    expect(result).toMatchObject({ ok: false, code: v.expected.code });
    if (!result.ok && result.code === 'timestamp_out_of_window') expect(result.serverTime).toBe(v.now);
    expect(store.calls).toEqual([]);
  });
});

const STRIPE_SECRET = 'whsec_sigil_pipeline_test_secret';
const stripe = stripeScheme({ secrets: [STRIPE_SECRET] });
const stripeDelivery = (body: string, target = '/hooks', at = Math.floor(Date.now() / 1000)) =>
  delivery(Object.entries(signStripeWebhook({ timestamp: at, body, secrets: [STRIPE_SECRET] })), body, { target });

describe('a verifier that accepts v1 and a webhook scheme', () => {
  const events: VerifierEvent[] = [];
  const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), schemes: ['v1', stripe], onEvent: (e) => void events.push(e) });

  it('verifies each by the header it carries: a key id for v1, the scheme for Stripe', async () => {
    const v1 = await verifier.verify(signed());
    expect(v1).toMatchObject({ ok: true, scheme: 'v1', keyId: KEY_ID });
    const hook = await verifier.verify(stripeDelivery('{"id":"evt_1"}'));
    expect(hook).toMatchObject({ ok: true, scheme: 'stripe', secretIndex: 0 });
    expect(hook).not.toHaveProperty('keyId');
    expect(events.slice(-2).map((e) => [e.type, e.keyId, e.scheme])).toEqual([
      ['accepted', KEY_ID, undefined],
      ['accepted', undefined, 'stripe'],
    ]);
  });

  it('refuses a request carrying both signatures (never guesses which one the application relies on)', async () => {
    const both = signed();
    const stripeHeader = stripeDelivery('{"qty":1}').headers as HeaderList;
    expect(await verifier.verify({ ...both, headers: [...(both.headers as HeaderList), ...stripeHeader] })).toMatchObject({ ok: false, code: 'signature_header_malformed' });
  });

  it("skips v1's query check for a webhook (the URL is the receiver's own) and keeps it for everything else", async () => {
    expect(await verifier.verify(stripeDelivery('{"id":"evt_2"}', '/hooks?sigil-signature=x'))).toMatchObject({ ok: true, scheme: 'stripe' });
    expect(await verifier.verify(signed({ target: '/v1/orders?sigil-signature=x' }))).toMatchObject({ ok: false, code: 'signature_in_query' });
    expect(await verifier.verify(delivery([], '', { target: '/hooks?sigil-signature=x' }))).toMatchObject({ ok: false, code: 'signature_in_query' });
  });

  it('applies the shared rules to webhooks: transport, body limit; a stale delivery gets the server time', async () => {
    const hooks = createWebhookVerifier({ schemes: [stripe], nonceStore: new MemoryNonceStore(), maxBodyBytes: 8, clock: () => 1_767_225_600_000 });
    const { remoteAddress: _peer, ...remote } = stripeDelivery('{}', '/hooks', 1_767_225_600);
    expect(await hooks.verify({ ...remote, remoteAddress: '203.0.113.9' })).toMatchObject({ ok: false, code: 'insecure_transport', status: 403 });
    expect(await hooks.verify(stripeDelivery('{"too":"long"}', '/hooks', 1_767_225_600))).toMatchObject({ ok: false, code: 'body_too_large', status: 413 });
    expect(await hooks.verify(stripeDelivery('{}', '/hooks', 1_767_225_600 - 301))).toMatchObject({ ok: false, code: 'timestamp_out_of_window', serverTime: 1_767_225_600 });
  });

  it("uses the scheme's own tolerance, not the verifier's window", async () => {
    const lenient = createWebhookVerifier({ schemes: [stripeScheme({ secrets: [STRIPE_SECRET], toleranceSeconds: 3600 })], replay: false, clock: () => 1_767_225_600_000 });
    expect(await lenient.verify(stripeDelivery('{}', '/hooks', 1_767_225_600 - 3000))).toMatchObject({ ok: true });
    const strict = createVerifier({ schemes: [stripe], replay: false, toleranceSeconds: 3600, clock: () => 1_767_225_600_000 });
    expect(await strict.verify(stripeDelivery('{}', '/hooks', 1_767_225_600 - 3000))).toMatchObject({ ok: false, code: 'timestamp_out_of_window' });
  });

  it('keeps GitHub deliveries (no timestamp) for the retention, keyed on the body, whatever delivery id is sent', async () => {
    const store = new RecordingStore(() => 1_000_000_000_000);
    const github = createWebhookVerifier({ schemes: [githubScheme({ secrets: ['gh-secret'] })], nonceStore: store, clock: () => 1_000_000_000_000 });
    const body = '{"action":"opened"}';
    const headers = (id: string): HeaderList => [...Object.entries(signGithubWebhook({ body, secret: 'gh-secret' })), ['x-github-delivery', id]];
    expect(await github.verify(delivery(headers('a'), body))).toMatchObject({ ok: true, id: 'a', idSigned: false, replaySource: 'content' });
    expect(await github.verify(delivery(headers('b'), body))).toMatchObject({ ok: false, code: 'nonce_replayed' });
    expect(store.calls.map(([scheme, key, at]) => [scheme, key.length, at])).toEqual([
      ['github', 43, 1_000_000_000_000 + 3 * 86_400_000],
      ['github', 43, 1_000_000_000_000 + 3 * 86_400_000],
    ]);
  });
});

describe('webhook verifier options', () => {
  const sw = standardWebhooksScheme({ secrets: 'whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=' });
  const store = () => new MemoryNonceStore();
  const message = (make: () => unknown): string => {
    try {
      make();
    } catch (error) {
      expect((error as SigilError).code).toBe('invalid_option');
      return (error as Error).message;
    }
    throw new Error('not refused');
  };

  it.each([
    ['keys missing with v1', () => createVerifier({ nonceStore: store(), schemes: ['v1', sw] }), /keys: required for the v1 and rfc9421 schemes/],
    ['keys with webhooks only', () => createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store(), schemes: [sw] }), /keys is given but no scheme uses it/],
    ['one scheme twice', () => createVerifier({ nonceStore: store(), schemes: [sw, sw] }), /schemes: expected each scheme at most once/],
    ['a name twice', () => createVerifier({ keys: {}, nonceStore: store(), schemes: ['v1', 'v1'] }), /schemes: expected each scheme at most once/],
    ['something else', () => createVerifier({ nonceStore: store(), schemes: [sw, { name: 'stripe' } as never] }), /schemes\.1: expected 'v1', 'rfc9421' or a webhook scheme/],
    ['no schemes', () => createWebhookVerifier({ nonceStore: store(), schemes: [] }), /schemes: expected at least one webhook scheme/],
    ['v1 in a webhook verifier', () => createWebhookVerifier({ nonceStore: store(), schemes: ['v1' as never] }), /schemes\.0: expected a webhook scheme/],
    ['a window', () => createWebhookVerifier({ nonceStore: store(), schemes: [sw], toleranceSeconds: 60 } as never), /toleranceSeconds does not apply to webhook schemes/],
    ['no store', () => createWebhookVerifier({ schemes: [sw] }), /nonceStore is required/],
  ])('refuses %s, naming the option', (_name, make, expected) => {
    expect(message(make)).toMatch(expected);
  });

  it('never shows a webhook secret through the verifier or its scheme', () => {
    const secret = 'whsec_never_shown_anywhere';
    const scheme = stripeScheme({ secrets: [secret] });
    const verifier = createWebhookVerifier({ schemes: [scheme], replay: false });
    for (const shown of [JSON.stringify(verifier), JSON.stringify(scheme), String((verifier as unknown as Record<symbol, () => string>)[Symbol.for('nodejs.util.inspect.custom')]!())]) {
      expect(shown).not.toContain('never_shown');
    }
  });
});
