// Attack: a signature that leaves the content's meaning open. A proxy on
// the path keeps the signed bytes but changes what they mean: under v1 it
// swaps an unsigned Content-Type (a framework then parses the same verified
// bytes as a form instead of JSON); under RFC 9421 it replaces a body whose
// Content-Digest the signature does not cover. Both are refused unless the
// verifier opts out by name. Real verifier, node adapter, 127.0.0.1 sockets.
import { generateNonce, signRequest, SIGNATURE_HEADER } from '@sigil/core';
import { rfc9421Key, signRfc9421 } from '@sigil/core/rfc9421';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, resend, startStack, withHeader, type Captured, type Stack } from './helpers/stack.js';
import { KEY, KEY_ID } from './helpers/keys.js';

const JSON_BODY = Buffer.from('{"role":"user"}');
let strict: Stack;
let optedOut: Stack;
let rfcConfigured: Stack;
let rfcOptedOut: Stack;

beforeAll(async () => {
  strict = await startStack();
  optedOut = await startStack({ verifier: { allowUnsignedContentType: true } });
  const requiredComponents = ['@method', '@authority', '@path'];
  rfcConfigured = await startStack({ verifier: { schemes: ['rfc9421'], rfc9421: { requiredComponents } } });
  rfcOptedOut = await startStack({ verifier: { schemes: ['rfc9421'], rfc9421: { requiredComponents, allowUnsignedContent: true } } });
});
afterAll(closeAll);

/** A v1 POST signed over `names` (besides host), as a careless client would sign it. */
function v1Request(stack: Stack, names: readonly string[], body: Buffer = JSON_BODY, contentType = 'application/json'): Captured {
  const host = new URL(stack.origin).host;
  const headers: Array<[string, string]> = [['host', host], ['content-type', contentType]];
  const { header } = signRequest({ method: 'POST', target: '/v1/users', headers, body }, KEY, {
    keyId: KEY_ID,
    timestamp: Math.floor(Date.now() / 1000),
    headers: names,
  });
  return { method: 'POST', target: '/v1/users', headers: [...headers, [SIGNATURE_HEADER, header]], body };
}

describe('attacker swaps an unsigned Content-Type (application/json to application/x-www-form-urlencoded) on a v1 request', () => {
  it('is refused with header_not_signed when the signature does not cover content-type', async () => {
    const swapped = withHeader(v1Request(strict, []), 'content-type', 'application/x-www-form-urlencoded');
    const answer = await resend(strict.origin, swapped);
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: 'header_not_signed' });
    expect(strict.accepted).toHaveLength(0);
    expect(strict.events.at(-1)).toMatchObject({ type: 'rejected', code: 'header_not_signed' });
  });

  it('the unswapped request without content-type signed is refused too: the rule does not depend on the attack', async () => {
    const answer = await resend(strict.origin, v1Request(strict, []));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: 'header_not_signed' });
  });

  it('with content-type signed, the swap is signature_invalid and the untouched request is accepted', async () => {
    const signed = v1Request(strict, ['content-type']);
    const swapped = await resend(strict.origin, withHeader(signed, 'content-type', 'application/x-www-form-urlencoded'));
    expect(swapped.status).toBe(401);
    expect(JSON.parse(swapped.body)).toEqual({ error: 'signature_invalid' });
    const untouched = await resend(strict.origin, v1Request(strict, ['content-type']));
    expect(untouched.status).toBe(200);
    expect(JSON.parse(untouched.body)).toMatchObject({ signedHeaders: ['content-type', 'host'], body: '{"role":"user"}' });
  });

  it('a Content-Type without content (no body) need not be signed', async () => {
    const answer = await resend(strict.origin, v1Request(strict, [], Buffer.alloc(0)));
    expect(answer.status).toBe(200);
  });

  it('allowUnsignedContentType: true opts out by name (and then the swap goes through)', async () => {
    const swapped = withHeader(v1Request(optedOut, []), 'content-type', 'application/x-www-form-urlencoded');
    const answer = await resend(optedOut.origin, swapped);
    expect(answer.status).toBe(200);
  });
});

/** An RFC 9421 POST whose signature covers `components` and no Content-Digest. */
function rfcRequest(stack: Stack, components: readonly string[]): Captured {
  const host = new URL(stack.origin).host;
  const headers: Array<[string, string]> = [['host', host], ['content-type', 'application/json']];
  const request = { method: 'POST', target: '/v1/transfers', scheme: 'http' as const, headers, body: JSON_BODY };
  const signed = signRfc9421(request, rfc9421Key(KEY, 'hmac-sha256'), {
    keyid: KEY_ID,
    created: Math.floor(Date.now() / 1000),
    nonce: generateNonce(),
    components,
    contentDigest: false,
  });
  const out: Array<[string, string]> = [...headers, ['signature-input', signed.signatureInput], ['signature', signed.signature]];
  return { method: 'POST', target: '/v1/transfers', headers: out, body: JSON_BODY };
}

describe('attacker replaces the body of an RFC 9421 request whose signature does not cover content-digest, under requiredComponents', () => {
  const tampered = (r: Captured): Captured => ({ ...r, body: Buffer.from('{"to":"mallory","amount":1e6}') });

  it('is refused with header_not_signed: requiredComponents does not drop the body requirement', async () => {
    const answer = await resend(rfcConfigured.origin, tampered(rfcRequest(rfcConfigured, ['@method', '@authority', '@path', 'content-type'])));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: 'header_not_signed' });
    expect(rfcConfigured.accepted).toHaveLength(0);
  });

  it('content-type is still required when present, even when requiredComponents omits it', async () => {
    const answer = await resend(rfcConfigured.origin, rfcRequest(rfcConfigured, ['@method', '@authority', '@path']));
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: 'header_not_signed' });
  });

  it('rfc9421.allowUnsignedContent: true opts out by name (and then the replaced body goes through)', async () => {
    const answer = await resend(rfcOptedOut.origin, tampered(rfcRequest(rfcOptedOut, ['@method', '@authority', '@path', 'content-type'])));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ body: '{"to":"mallory","amount":1e6}' });
  });
});
