// Attack surface: secrets in logs, errors and responses. For every code a
// verifier answers with, the response (status line, headers, body) sent
// over a real socket carries the public code and nothing received, no MAC,
// no nonce and no secret, even when a failing store or key resolver put a
// secret in its own error message. Every client error, and util.inspect,
// JSON.stringify and String() of every object holding a key, stay clean.
import { inspect } from 'node:util';
import { ERROR_STATUS, publicCode, type SigilErrorCode } from '@sigil/core';
import { createSigningFetch, signingInterceptor } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carried, codeCases, codesVerifierOptions, SwitchableStore, type CodeCase } from './helpers/codes.js';
import { expectNoSecrets, KEY, KEY_ID, KEYS, OTHER_SECRET, SECRET, SECRET_FORMS } from './helpers/keys.js';
import { closeAll, resend, signingClient, startStack, type Stack } from './helpers/stack.js';

afterAll(closeAll);

/** Every way a value can end up in a log. */
function views(value: unknown): string {
  const parts = [inspect(value, { depth: 8, showHidden: true }), JSON.stringify(value) ?? '', String(value)];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', inspect(value.cause, { depth: 8 }));
  return parts.join('\n');
}

/** Texts from a request that must not come back. */
function echoed(c: CodeCase): string[] {
  const values = c.headers.filter(([n]) => n !== 'host' && n !== 'content-type').map(([, v]) => v);
  return [...carried(c), ...values, c.body.toString('utf8').slice(0, 40)];
}

describe('attack: secrets in responses (every code, real socket)', () => {
  const store = new SwitchableStore();
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ verifier: codesVerifierOptions(store) });
  });

  const wire = Object.entries(codeCases()).filter(([, c]) => !c.offWire);

  it.each(wire)('%s: status and public code only', async (code, c) => {
    store.mode = 'ok';
    if (c.twice) await resend(stack.origin, c);
    store.mode = c.store ?? 'ok';
    const answer = await resend(stack.origin, c);
    const shown = publicCode(code as SigilErrorCode);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([ERROR_STATUS[shown], { error: shown }]);
    if (answer.status === 401) expect(answer.headers['www-authenticate']).toBe('Sigil');
    expectNoSecrets(`${answer.body}\n${JSON.stringify(answer.headers)}`, `${code} response`, echoed(c));
    expectNoSecrets(JSON.stringify(stack.events), `${code} event`, echoed(c));
  });

  it('insecure_transport (behind a trusted proxy that saw plain HTTP): the same', async () => {
    const proxied = await startStack({ verifier: { trustProxy: true } });
    const res = await signingClient(proxied.origin)(`${proxied.origin}/v1/me`, { headers: { 'x-forwarded-proto': 'http' } });
    const text = await res.text();
    expect([res.status, text]).toEqual([403, '{"error":"insecure_transport"}']);
    expectNoSecrets(`${text}\n${JSON.stringify([...res.headers])}`, 'insecure_transport response');
  });
});

describe('attack: secrets in client errors', () => {
  it('every refusal the client raises is secret-free in message, stack, JSON and inspect', async () => {
    const base = { keyId: KEY_ID, secret: KEY, origins: ['https://api.example.com'] };
    const errors: unknown[] = [];
    const capture = (promise: Promise<unknown>) => promise.then(() => expect.unreachable(), (error: unknown) => void errors.push(error));
    const signedFetch = createSigningFetch({ ...base, maxBodyBytes: 4 });
    await capture(signedFetch('https://evil.example.net/x'));
    await capture(createSigningFetch({ ...base, origins: '*' })('http://api.example.com/x'));
    await capture(signedFetch('https://api.example.com/x', { method: 'POST', body: 'too long' }));
    const stream = new ReadableStream({ start: (c) => (c.enqueue('not bytes'), c.close()) });
    await capture(signedFetch('https://api.example.com/x', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    const hex = Buffer.from(SECRET).toString('hex');
    for (const options of [
      { ...base, secret: hex, secretEncoding: 'rot13' },
      { ...base, secret: hex.slice(0, 20), secretEncoding: 'hex' },
      { ...base, secret: `${hex}!`, secretEncoding: 'hex' },
      { ...base, origins: [`https://user:${hex}@api.example.com`] },
      { ...base, unknown: hex },
    ]) {
      try {
        createSigningFetch(options as never);
        expect.unreachable();
      } catch (error) {
        errors.push(error);
      }
    }
    expect(errors.map((e) => (e as { code: string }).code)).toEqual([
      'origin_not_allowed', 'insecure_transport', 'body_too_large', 'body_unsupported',
      'invalid_option', 'invalid_key', 'invalid_key', 'invalid_option', 'invalid_option',
    ]);
    for (const error of errors) expectNoSecrets(views(error), `client error ${(error as { code: string }).code}`, [hex.slice(0, 20)]);
  });
});

describe('attack: secrets through util.inspect, JSON.stringify and String()', () => {
  it('keys, clients, interceptors, verifiers and stores show no secret', () => {
    const objects: Record<string, unknown> = {
      key: KEY,
      keys: KEYS,
      signingFetch: createSigningFetch({ keyId: KEY_ID, secret: SECRET, origins: '*' }),
      fromString: createSigningFetch({ keyId: KEY_ID, secret: Buffer.from(OTHER_SECRET).toString('base64url'), secretEncoding: 'base64url', origins: '*' }),
      interceptor: signingInterceptor({ keyId: KEY_ID, secret: KEY, origins: ['https://api.example.com'] }),
      verifier: createVerifier({ keys: { [KEY_ID]: SECRET, other: { key: Buffer.from(OTHER_SECRET).toString('hex'), encoding: 'hex' } }, nonceStore: new MemoryNonceStore() }),
      store: new MemoryNonceStore(),
    };
    for (const [name, value] of Object.entries(objects)) expectNoSecrets(`${views(value)}\n${views({ nested: value })}`, name);
  });

  it('control: the check finds a secret in each of the forms it looks for', () => {
    for (const form of SECRET_FORMS) expect(() => expectNoSecrets(`log: ${form}`, 'control')).toThrow(/leaks/);
  });
});
