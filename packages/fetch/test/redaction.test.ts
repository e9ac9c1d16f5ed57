import { inspect } from 'node:util';
import { base64Encode, base64urlEncode, hexEncode, importKey } from '@sigil/core';
import { createSigningFetch, signingInterceptor, type FetchLike } from '@sigil/fetch';
import { describe, expect, it } from 'vitest';
import { SECRET_BYTES } from './helpers.js';

const UTF8_SECRET = 'correct horse battery staple, never print me';
const forms = [
  hexEncode(SECRET_BYTES),
  base64urlEncode(SECRET_BYTES),
  base64Encode(SECRET_BYTES),
  [...SECRET_BYTES].join(','),
  [...SECRET_BYTES].join(', '),
  JSON.stringify(SECRET_BYTES).slice(1, 40),
  UTF8_SECRET,
  'correct horse',
];

function assertClean(text: string | undefined, where: string): void {
  for (const form of forms) expect(text ?? '', `${where} leaks the secret`).not.toContain(form);
}

function everyView(value: unknown, where: string): void {
  assertClean(inspect(value, { depth: 10, showHidden: true }), `${where} util.inspect`);
  assertClean(JSON.stringify(value), `${where} JSON.stringify`);
  assertClean(String(value), `${where} String()`);
  if (value instanceof Error) {
    assertClean(value.message, `${where} message`);
    assertClean(value.stack, `${where} stack`);
    assertClean(inspect(value.cause, { depth: 10 }), `${where} cause`);
  }
}

const secrets = [
  { secret: SECRET_BYTES },
  { secret: hexEncode(SECRET_BYTES), secretEncoding: 'hex' as const },
  { secret: base64urlEncode(SECRET_BYTES), secretEncoding: 'base64url' as const },
  { secret: UTF8_SECRET, secretEncoding: 'utf8' as const },
  { secret: importKey(SECRET_BYTES) },
];

describe('secrets never show', () => {
  it('control: the checks catch a secret in any of its forms', () => {
    expect(() => everyView({ secret: SECRET_BYTES }, 'raw bytes')).toThrow(/leaks the secret/);
    expect(() => everyView(new Error(`bad ${UTF8_SECRET}`), 'an error')).toThrow(/leaks the secret/);
    expect(() => everyView({ s: hexEncode(SECRET_BYTES) }, 'hex')).toThrow(/leaks the secret/);
  });

  it.each(secrets)('the wrapper and the interceptor (%#)', (secret) => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', ...secret, origins: '*' });
    everyView(signedFetch, 'createSigningFetch()');
    expect(inspect(signedFetch)).toContain("<redacted>");
    expect(JSON.parse(JSON.stringify(signedFetch))).toMatchObject({ SigningFetch: { keyId: 'client-1', secret: '<redacted>' } });
    const interceptor = signingInterceptor({ keyId: 'client-1', origins: ['https://api.example.com'], ...secret });
    everyView(interceptor, 'signingInterceptor()');
    expect(inspect(interceptor)).toContain('<redacted>');
  });

  it('in errors from options, transport, bodies and redirects', async () => {
    const errors: unknown[] = [];
    const capture = async (run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (error) {
        errors.push(error);
      }
    };
    // Options that are wrong next to a real secret.
    await capture(() => createSigningFetch({ keyId: 'bad id', secret: UTF8_SECRET, secretEncoding: 'utf8', origins: '*' }));
    await capture(() => createSigningFetch({ keyId: 'k', secret: UTF8_SECRET, secretEncoding: 'hex', origins: '*' }));
    await capture(() => createSigningFetch({ keyId: 'k', secret: UTF8_SECRET, origins: '*' } as never));
    await capture(() => createSigningFetch({ keyId: 'k', secret: UTF8_SECRET, secretEncoding: 'utf8', extra: UTF8_SECRET, origins: '*' } as never));
    await capture(() => signingInterceptor({ keyId: 'k', secret: UTF8_SECRET, secretEncoding: 'utf8', origins: [UTF8_SECRET] }));
    const redirecting: FetchLike = async () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/' } });
    const signedFetch = createSigningFetch({ keyId: 'k', secret: UTF8_SECRET, secretEncoding: 'utf8', maxBodyBytes: 2, fetch: redirecting, origins: '*' });
    await capture(() => signedFetch('http://api.example.com/'));
    await capture(() => signedFetch('https://api.example.com/', { method: 'POST', body: 'too big' }));
    await capture(() => signedFetch('https://api.example.com/'));
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'invalid_option',
      'invalid_key',
      'invalid_option',
      'invalid_option',
      'invalid_option',
      'insecure_transport',
      'body_too_large',
      'redirect_cross_origin',
    ]);
    errors.forEach((error, i) => everyView(error, `error ${i}`));
  });
});
