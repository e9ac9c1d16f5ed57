// Attack surface: verbose errors in debug builds. The debug mode that puts
// the server's canonical string into failures (for integrators diffing
// implementations) is off by default and refuses to start when NODE_ENV is
// production; even when on, it shows no secret and no MAC.
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectNoSecrets, KEYS } from './helpers/keys.js';
import { closeAll, headerOf, signingClient, startAttacker, startStack } from './helpers/stack.js';

const nodeEnv = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = nodeEnv;
});
afterAll(closeAll);

/** A real signed request whose path an attacker changes on the way: the verifier answers signature_invalid. */
async function tamperedAnswer(debug: boolean): Promise<{ status: number; body: Record<string, unknown>; mac: string }> {
  const stack = await startStack({ verifier: { debug } });
  const attacker = await startAttacker(stack.origin);
  attacker.tamper = (r) => ({ ...r, target: '/v1/admin' });
  const res = await signingClient(attacker.origin)(`${attacker.origin}/v1/me`);
  const mac = /mac=([\w-]+)/.exec(headerOf(attacker.captured[0]!, 'sigil-signature')!)![1]!;
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, mac };
}

describe('attack: verbose errors in debug builds', () => {
  it('debug mode refuses to start under NODE_ENV=production, naming the option', async () => {
    process.env.NODE_ENV = 'production';
    expect(() => createVerifier({ keys: KEYS, nonceStore: new MemoryNonceStore(), debug: true })).toThrow(
      expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/debug cannot be enabled when NODE_ENV is production/) }),
    );
    await expect(startStack({ verifier: { debug: true } })).rejects.toMatchObject({ code: 'invalid_option' });
    // Production without debug starts as usual.
    expect(() => createVerifier({ keys: KEYS, nonceStore: new MemoryNonceStore() })).not.toThrow();
  });

  it('off by default: a failure says only its code', async () => {
    const { status, body } = await tamperedAnswer(false);
    expect([status, body]).toEqual([401, { error: 'signature_invalid' }]);
  });

  it('on outside production: the canonical string comes back, without the secret or the MAC', async () => {
    process.env.NODE_ENV = 'development';
    const { status, body, mac } = await tamperedAnswer(true);
    expect(status).toBe(401);
    expect(body.error).toBe('signature_invalid');
    expect(body.canonical).toMatch(/^sigil-v1\nhmac-sha256\nsec-client\n\d+\n[\w-]{22}\nGET\n\/v1\/admin\nhost\nhost:127\.0\.0\.1:\d+\n[0-9a-f]{64}$/);
    expectNoSecrets(JSON.stringify(body), 'debug response', [mac]);
  });
});
