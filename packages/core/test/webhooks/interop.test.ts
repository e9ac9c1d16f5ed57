// Interop with the vendors' own npm libraries, at the core level (the
// adapter-level tests over sockets come with the verifier wiring):
//   - standardwebhooks 1.1: signs → Sigil verifies; Sigil signs → it verifies;
//   - stripe 23: generateTestHeaderString signs → Sigil verifies; Sigil signs →
//     webhooks.signature.verifyHeader verifies; it reproduces the vectors' headers;
//   - @octokit/webhooks-methods 6: sign → Sigil verifies; Sigil signs → verify.
// Bodies are arbitrary UTF-8 strings (the libraries take strings), including
// non-ASCII, through fast-check.
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  githubScheme,
  parseWebhookVectorFile,
  signGithubWebhook,
  signStandardWebhook,
  signStripeWebhook,
  standardWebhooksScheme,
  stripeScheme,
  vectorBytes,
} from '@sigil/core/webhooks';
import { readVectorText } from '../helpers/vectors.js';

const stripe = new Stripe('sk_test_sigil_interop_not_a_real_key');
// The vendor libraries refuse an empty payload, so bodies here have at least one character.
const body = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 });
const id = fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/);
const NOW = 1_767_225_600;
const enc = (text: string) => new TextEncoder().encode(text);

describe('standardwebhooks (npm) ↔ Sigil', () => {
  it('standardwebhooks signs, Sigil verifies (with the id as the replay key)', () => {
    fc.assert(
      fc.property(body, id, (payload, msgId) => {
        const secret = generateWebhookSecret();
        const signature = new Webhook(secret).sign(msgId, new Date(NOW * 1000), payload);
        const result = standardWebhooksScheme({ secrets: secret }).verify(
          { headers: [['webhook-id', msgId], ['webhook-timestamp', String(NOW)], ['webhook-signature', signature]], body: enc(payload) },
          NOW,
        );
        expect(result.ok ? result.replay.source : result.code).toBe('id');
      }),
      { numRuns: 50 },
    );
  });

  it('Sigil signs (two secrets during a rotation), standardwebhooks verifies with either', () => {
    fc.assert(
      fc.property(body, id, (payload, msgId) => {
        const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
        const now = Math.floor(Date.now() / 1000); // the library reads the real clock
        const headers = signStandardWebhook({ id: msgId, timestamp: now, body: payload, secrets: [a, b] });
        expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
        expect(() => new Webhook(a).verify(payload, { ...headers }, { jsonParse: false })).not.toThrow();
        expect(() => new Webhook(b).verify(payload, { ...headers }, { jsonParse: false })).not.toThrow();
        expect(() => new Webhook(generateWebhookSecret()).verify(payload, { ...headers }, { jsonParse: false })).toThrow();
      }),
      { numRuns: 30 },
    );
  });

  it('the library reads whsec_ the same way as Sigil: it reproduces the published vector', () => {
    const v = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-positive.json'))).vectors.find((x) => x.id === 'sw-published-example')!;
    const h = Object.fromEntries(v.request.headers);
    expect(new Webhook(v.secrets[0]!).sign(h['webhook-id']!, new Date(Number(h['webhook-timestamp']) * 1000), new TextDecoder().decode(vectorBytes(v.request.body)))).toBe(h['webhook-signature']);
  });
});

describe('stripe (npm) ↔ Sigil', () => {
  it('generateTestHeaderString signs, Sigil verifies', () => {
    fc.assert(
      fc.property(body, fc.stringMatching(/^whsec_[A-Za-z0-9]{10,40}$/), (payload, secret) => {
        const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: NOW });
        const result = stripeScheme({ secrets: secret }).verify({ headers: [['Stripe-Signature', header]], body: enc(payload) }, NOW);
        expect(result.ok ? result.secretIndex : result.code).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  // receivedAt is in milliseconds.
  it('Sigil signs, Stripe verifies (its verifyHeader with a fixed receivedAt)', () => {
    fc.assert(
      fc.property(body, (payload) => {
        const secret = 'whsec_sigilInteropSecret';
        const { 'stripe-signature': header } = signStripeWebhook({ timestamp: NOW, body: payload, secrets: ['whsec_other', secret] });
        expect(stripe.webhooks.signature!.verifyHeader(payload, header, secret, 300, undefined, NOW * 1000)).toBe(true);
        expect(() => stripe.webhooks.signature!.verifyHeader(payload, header, 'whsec_wrong', 300, undefined, NOW * 1000)).toThrow();
      }),
      { numRuns: 30 },
    );
  });

  it('generateTestHeaderString reproduces every generated Stripe vector that one secret signs', () => {
    const vectors = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-positive.json'))).vectors.filter(
      (v) => v.scheme === 'stripe' && ['stripe-json-body', 'stripe-rotation-second-secret'].includes(v.id),
    );
    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      if (v.kind !== 'positive') throw new Error('not positive');
      const header = Object.fromEntries(v.request.headers)['Stripe-Signature']!;
      const t = Number(/^t=(\d+)/.exec(header)![1]);
      const payload = new TextDecoder().decode(vectorBytes(v.request.body));
      expect(stripe.webhooks.generateTestHeaderString({ payload, secret: v.secrets[v.expected.secretIndex]!, timestamp: t })).toBe(header);
    }
  });

  it('Stripe checks only the past: it accepts the stripe-future vector, which Sigil refuses (two-sided window)', () => {
    const v = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-negative.json'))).vectors.find((x) => x.id === 'stripe-future')!;
    const header = Object.fromEntries(v.request.headers)['Stripe-Signature']!;
    const payload = new TextDecoder().decode(vectorBytes(v.request.body));
    expect(stripe.webhooks.signature!.verifyHeader(payload, header, v.secrets[0]!, 300, undefined, v.now * 1000)).toBe(true);
    expect(stripeScheme({ secrets: v.secrets }).verify({ headers: v.request.headers, body: vectorBytes(v.request.body) }, v.now)).toMatchObject({ ok: false, code: 'timestamp_out_of_window' });
    // and the stale one both refuse
    const stale = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-negative.json'))).vectors.find((x) => x.id === 'stripe-stale')!;
    expect(() => stripe.webhooks.signature!.verifyHeader(payload, header, v.secrets[0]!, 300, undefined, stale.now * 1000)).toThrow(/tolerance/);
  });

  it('Stripe rejects the v0-only header Sigil refuses too (neither downgrades)', () => {
    const v = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-negative.json'))).vectors.find((x) => x.id === 'stripe-v0-only')!;
    const header = Object.fromEntries(v.request.headers)['Stripe-Signature']!;
    const payload = new TextDecoder().decode(vectorBytes(v.request.body));
    expect(() => stripe.webhooks.signature!.verifyHeader(payload, header, v.secrets[0]!, 300, undefined, v.now * 1000)).toThrow();
  });
});

describe('@octokit/webhooks-methods (npm) ↔ Sigil', () => {
  it('octokit signs, Sigil verifies; Sigil signs, octokit verifies', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.string({ minLength: 1, maxLength: 40 }), async (payload, secret) => {
        const theirs = await octokitSign(secret, payload);
        const result = githubScheme({ secrets: secret }).verify({ headers: [['X-Hub-Signature-256', theirs]], body: enc(payload) }, NOW);
        expect(result.ok ? result.replay.source : result.code).toBe('content');
        const ours = signGithubWebhook({ body: payload, secret })['x-hub-signature-256'];
        expect(ours).toBe(theirs);
        expect(await octokitVerify(secret, payload, ours)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
