// The webhook schemes beyond the vector corpus: secrets and options are
// validated at construction and never shown, sign → verify round-trips over
// arbitrary bytes, parsers only ever throw SigilErrors, and the replay key
// cannot be changed by an attacker who edits what the MAC does not cover.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends, base64Encode, isSigilError, SigilError } from '@sigil/core';
import {
  generateWebhookSecret,
  githubScheme,
  parseWebhookSecret,
  shopifyScheme,
  signGithubWebhook,
  signShopifyWebhook,
  signSlackWebhook,
  signStandardWebhook,
  signStripeWebhook,
  slackScheme,
  standardWebhooksScheme,
  stripeScheme,
  verifyStandardWebhook,
  webhookSchemes,
  type WebhookSchemeName,
} from '@sigil/core/webhooks';

const NOW = 1_767_225_600;
const SW = generateWebhookSecret();
const TEXT = 'a-secret-that-must-never-show';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isSigilError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('Standard Webhooks secrets', () => {
  it('generateWebhookSecret gives whsec_ + base64 of 32 fresh bytes that parseWebhookSecret reads back', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseWebhookSecret(a)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it.each([
    ['no prefix', base64Encode(new Uint8Array(32).fill(1))],
    ['not base64', 'whsec_not base64!'],
    ['unpadded base64', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['16 bytes', `whsec_${base64Encode(new Uint8Array(16))}`],
    ['65 bytes', `whsec_${base64Encode(new Uint8Array(65))}`],
  ])('parseWebhookSecret refuses %s with invalid_key', (_case, secret) => {
    expect(codeOf(() => parseWebhookSecret(secret))).toBe('invalid_key');
  });
});

describe('options are validated at construction and never echo a secret', () => {
  it.each([
    ['no options', undefined, 'invalid_option'],
    ['no secrets', {}, 'invalid_option'],
    ['an empty list', { secrets: [] }, 'invalid_option'],
    ['17 secrets', { secrets: Array.from({ length: 17 }, () => generateWebhookSecret()) }, 'invalid_option'],
    ['a negative tolerance', { secrets: SW, toleranceSeconds: -1 }, 'invalid_option'],
    ['a fractional tolerance', { secrets: SW, toleranceSeconds: 1.5 }, 'invalid_option'],
    ['retention shorter than the window', { secrets: SW, toleranceSeconds: 300, retentionSeconds: 599 }, 'invalid_option'],
    ['an unknown option', { secrets: SW, tolerance: 5 }, 'invalid_option'],
    ['a malformed secret', { secrets: [SW, `whsec_${TEXT}`] }, 'invalid_key'],
  ])('%s', (_case, options, code) => {
    let error: unknown;
    try {
      standardWebhooksScheme(options as never);
    } catch (e) {
      error = e;
    }
    expect(isSigilError(error) && error.code).toBe(code);
    expect(String((error as Error).message)).not.toContain(TEXT);
    expect(String((error as Error).message)).not.toContain(SW.slice(6));
  });

  it('an invalid secret names its index', () => {
    expect(() => standardWebhooksScheme({ secrets: [SW, 'oops'] })).toThrow(/secrets\[1\]/);
  });

  it('a scheme shows no secret through JSON.stringify or util.inspect', () => {
    for (const name of Object.keys(webhookSchemes) as WebhookSchemeName[]) {
      const secret = name === 'standard-webhooks' ? SW : TEXT;
      const scheme = webhookSchemes[name]({ secrets: [secret] });
      for (const shown of [JSON.stringify(scheme), inspect(scheme, { showHidden: true, depth: 5 }), String(scheme)]) {
        expect(shown).not.toContain(secret);
        expect(shown).not.toContain(secret.slice(6));
      }
    }
  });

  it('covers: what each scheme signs besides the body', () => {
    const covers = (name: WebhookSchemeName) => webhookSchemes[name]({ secrets: name === 'standard-webhooks' ? SW : TEXT }).covers;
    expect(covers('standard-webhooks')).toEqual({ body: true, timestamp: true, id: true });
    expect(covers('stripe')).toEqual({ body: true, timestamp: true, id: false });
    expect(covers('slack')).toEqual({ body: true, timestamp: true, id: false });
    expect(covers('github')).toEqual({ body: true, timestamp: false, id: false });
    expect(covers('shopify')).toEqual({ body: true, timestamp: false, id: false });
  });

  it('defaults: ±300 s and a retention that outlives each sender\'s retries', () => {
    const pick = (name: WebhookSchemeName) => webhookSchemes[name]({ secrets: name === 'standard-webhooks' ? SW : TEXT });
    expect(pick('standard-webhooks').toleranceSeconds).toBe(300);
    expect(pick('standard-webhooks').retentionSeconds).toBe(3 * 86_400);
    expect(pick('github').retentionSeconds).toBe(3 * 86_400);
    expect(pick('shopify').retentionSeconds).toBe(86_400);
    expect(pick('stripe').retentionSeconds).toBe(600);
    expect(pick('slack').retentionSeconds).toBe(600);
    expect(stripeScheme({ secrets: TEXT, toleranceSeconds: 900 }).retentionSeconds).toBe(1800);
  });
});

const bytes = fc.uint8Array({ maxLength: 300 });
const utf8Secret = fc.string({ minLength: 1, maxLength: 64 });

/** Each scheme: sign a body with a secret, and the request that carries it. */
const signers: Record<WebhookSchemeName, (body: Uint8Array, secret: string) => Array<[string, string]>> = {
  'standard-webhooks': (body, secret) => Object.entries(signStandardWebhook({ id: 'msg_p', timestamp: NOW, body, secrets: secret })),
  stripe: (body, secret) => Object.entries(signStripeWebhook({ timestamp: NOW, body, secrets: secret })),
  github: (body, secret) => Object.entries(signGithubWebhook({ body, secret })),
  slack: (body, secret) => Object.entries(signSlackWebhook({ timestamp: NOW, body, secret })),
  shopify: (body, secret) => Object.entries(signShopifyWebhook({ body, secret })),
};

describe.each(Object.keys(signers) as WebhookSchemeName[])('%s', (name) => {
  const secretArb = name === 'standard-webhooks' ? fc.constant(null).map(() => generateWebhookSecret()) : utf8Secret;

  it('sign → verify round-trips over arbitrary body bytes and secrets; changing one body byte fails', () => {
    fc.assert(
      fc.property(bytes, secretArb, fc.nat(), (body, secret, at) => {
        const headers = signers[name](body, secret);
        const scheme = webhookSchemes[name]({ secrets: secret });
        const ok = scheme.verify({ headers, body }, NOW);
        expect(ok.ok ? ok.secretIndex : ok.code).toBe(0);
        const changed = body.length === 0 ? Uint8Array.of(0) : body.map((b, i) => (i === at % body.length ? b ^ 1 : b));
        const bad = scheme.verify({ headers, body: changed }, NOW);
        expect(bad.ok ? 'ok' : bad.code).toBe('signature_invalid');
      }),
      { numRuns: 60 },
    );
  });

  it('verify never throws, and parse throws only SigilErrors, for arbitrary header values', () => {
    const scheme = webhookSchemes[name]({ secrets: name === 'standard-webhooks' ? SW : TEXT });
    const names = signers[name](new Uint8Array(0), name === 'standard-webhooks' ? SW : TEXT).map(([n]) => n);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...names), fc.string({ maxLength: 120 })), { maxLength: 5 }), (headers) => {
        const result = scheme.verify({ headers }, NOW);
        expect(result.ok).toBe(false);
        expect(scheme.detect(headers)).toBe(headers.some(([n]) => n.toLowerCase() === scheme.signatureHeader));
        try {
          scheme.parse(headers);
        } catch (error) {
          expect(error).toBeInstanceOf(SigilError);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('accepts Fetch Headers as well as field lines', () => {
    const secret = name === 'standard-webhooks' ? SW : TEXT;
    const body = new TextEncoder().encode('{"a":1}');
    const headers = new Headers(signers[name](body, secret));
    const result = webhookSchemes[name]({ secrets: secret }).verify({ headers, body }, NOW);
    expect(result.ok).toBe(true);
    expect(webhookSchemes[name]({ secrets: secret }).detect(headers)).toBe(true);
    expect(webhookSchemes[name]({ secrets: secret }).detect(new Headers())).toBe(false);
  });
});

describe('both crypto backends MAC webhook bodies identically', () => {
  it('a non-ASCII, non-UTF-8 body verifies on the portable backend as signed by the native one', () => {
    const body = Uint8Array.of(0xff, 0xe9, 0x00, 0x80);
    const key = parseWebhookSecret(SW);
    expect(backends.native!.prepareBytesMac('hmac-sha256', key)(body)).toEqual(backends.portable.prepareBytesMac('hmac-sha256', key)(body));
  });
});

describe('attacker edits what the MAC does not cover to dodge the replay store', () => {
  it('attacker replays a GitHub delivery under a fresh X-GitHub-Delivery: same replay key', () => {
    const body = '{"action":"opened"}';
    const sig = signGithubWebhook({ body, secret: TEXT })['x-hub-signature-256'];
    const scheme = githubScheme({ secrets: TEXT });
    const first = scheme.verify({ headers: [['X-Hub-Signature-256', sig], ['X-GitHub-Delivery', 'd-1']], body: new TextEncoder().encode(body) }, NOW);
    const replay = scheme.verify({ headers: [['X-Hub-Signature-256', sig], ['X-GitHub-Delivery', 'd-2']], body: new TextEncoder().encode(body) }, NOW);
    expect(first.ok && replay.ok).toBe(true);
    if (!first.ok || !replay.ok) return;
    expect(first.idSigned).toBe(false);
    expect(replay.replay.key).toBe(first.replay.key);
    expect(replay.replay.source).toBe('content');
  });

  it('attacker replays a Shopify delivery under a fresh X-Shopify-Webhook-Id: same replay key', () => {
    const body = new TextEncoder().encode('{"id":1}');
    const sig = signShopifyWebhook({ body, secret: TEXT })['x-shopify-hmac-sha256'];
    const scheme = shopifyScheme({ secrets: TEXT });
    const keys = ['w-1', 'w-2'].map((id) => {
      const r = scheme.verify({ headers: [['X-Shopify-Hmac-Sha256', sig], ['X-Shopify-Webhook-Id', id]], body }, NOW);
      return r.ok ? r.replay.key : r.code;
    });
    expect(keys[1]).toBe(keys[0]);
  });

  it('attacker strips or reorders the v1 entries of a rolled Stripe header: same replay key', () => {
    const body = new TextEncoder().encode('{"id":"evt_1"}');
    const header = signStripeWebhook({ timestamp: NOW, body, secrets: ['whsec_old', 'whsec_new'] })['stripe-signature'];
    const [t, v1old, v1new] = header.split(',');
    const scheme = stripeScheme({ secrets: ['whsec_new', 'whsec_old'] });
    const keys = [header, `${t},${v1old}`, `${t},${v1new}`, `${v1new},${v1old},${t}`].map((h) => {
      const r = scheme.verify({ headers: [['Stripe-Signature', h]], body }, NOW);
      return r.ok ? r.replay.key : r.code;
    });
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toHaveLength(43);
  });

  it('attacker adds a bogus Standard Webhooks entry: same replay key (the signed webhook-id)', () => {
    const h = signStandardWebhook({ id: 'msg_1', timestamp: NOW, body: '{}', secrets: SW });
    const scheme = standardWebhooksScheme({ secrets: SW });
    const body = new TextEncoder().encode('{}');
    const a = scheme.verify({ headers: Object.entries(h), body }, NOW);
    const b = scheme.verify({ headers: Object.entries({ ...h, 'webhook-signature': `${h['webhook-signature']} v1,${base64Encode(new Uint8Array(32))}` }), body }, NOW);
    expect(a.ok && b.ok && a.replay.key === b.replay.key && a.replay.source === 'id').toBe(true);
  });

  it('a Standard Webhooks retry (same id, fresh timestamp and signature) has the same replay key', () => {
    const scheme = standardWebhooksScheme({ secrets: SW });
    const body = new TextEncoder().encode('{}');
    const keys = [NOW, NOW + 60].map((ts) => {
      const r = scheme.verify({ headers: Object.entries(signStandardWebhook({ id: 'msg_retry', timestamp: ts, body, secrets: SW })), body }, ts);
      return r.ok ? r.replay.key : r.code;
    });
    expect(keys[1]).toBe(keys[0]);
  });
});

describe('attacker downgrades or re-splits signed bytes', () => {
  it('attacker downgrades a Stripe header to a valid v0 beside a bad v1: refused, v0 is never a candidate', () => {
    const body = '{"id":"evt_1"}';
    const v0 = signGithubWebhook({ body: `${NOW}.${body}`, secret: 'whsec_x' })['x-hub-signature-256'].slice(7);
    const r = stripeScheme({ secrets: 'whsec_x' }).verify({ headers: [['Stripe-Signature', `t=${NOW},v0=${v0},v1=${'0'.repeat(64)}`]], body: new TextEncoder().encode(body) }, NOW);
    expect(r.ok ? 'ok' : r.code).toBe('signature_invalid');
  });

  it('attacker re-splits id.timestamp.body of a dotted webhook-id: Sigil never signs one and refuses to verify one', () => {
    // A sender that signed id "x.<now>" at timestamp T over body B signed
    // "x.<now>.T.B"; the same bytes read as id "x", timestamp <now>, body
    // "T.B". Sigil's signer refuses dotted ids, so it never emits such bytes.
    expect(codeOf(() => signStandardWebhook({ id: `x.${NOW}`, timestamp: NOW, body: '{}', secrets: SW }))).toBe('invalid_option');
    const h = signStandardWebhook({ id: 'x', timestamp: NOW, body: `${NOW}.{}`, secrets: SW });
    const r = verifyStandardWebhook({ headers: [['webhook-id', `x.${NOW}`], ['webhook-timestamp', String(NOW)], ['webhook-signature', h['webhook-signature']]], body: new TextEncoder().encode('{}') }, { secrets: SW, now: NOW });
    expect(r.ok ? 'ok' : r.code).toBe('webhook_header_malformed');
  });

  it('a Slack signature is not a GitHub one over the same secret (domain: "v0:ts:" prefix)', () => {
    const body = new TextEncoder().encode('x');
    const slack = signSlackWebhook({ timestamp: NOW, body, secret: TEXT })['x-slack-signature'].slice(3);
    const r = githubScheme({ secrets: TEXT }).verify({ headers: [['X-Hub-Signature-256', `sha256=${slack}`]], body }, NOW);
    expect(r.ok ? 'ok' : r.code).toBe('signature_invalid');
    expect(slackScheme({ secrets: TEXT }).signatureHeader).toBe('x-slack-signature');
  });
});
