// createVerifier() validates its options at construction, names the bad one,
// never echoes a value, and keeps secrets out of inspect/JSON.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVerifier, MemoryNonceStore, type VerifierEvent, type VerifierOptions } from '../src/index.js';
import { header, signed, withHeader } from './helpers/requests.js';
import { breakMac, KEY, KEY_ID } from './helpers/sign.js';

const base = (): VerifierOptions => ({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore() });

function thrown(options: unknown): Error & { code?: string } {
  try {
    createVerifier(options as VerifierOptions);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('createVerifier did not throw');
}

describe('createVerifier options', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    [{ nonceStore: new MemoryNonceStore() }, /keys/],
    [{ keys: { [KEY_ID]: KEY } }, /nonceStore is required/],
    [{ ...base(), replay: false }, /nonceStore is given but replay is false/],
    [{ ...base(), toleranceSeconds: -1 }, /toleranceSeconds/],
    [{ ...base(), toleranceSeconds: 1.5 }, /toleranceSeconds/],
    [{ ...base(), maxBodyBytes: -1 }, /maxBodyBytes/],
    [{ ...base(), requiredHeaders: ['bad header'] }, /requiredHeaders/],
    [{ ...base(), requiredHeaders: ['Sigil-Signature'] }, /requiredHeaders.*sigil-signature/],
    [{ ...base(), clock: 5 }, /clock/],
    [{ ...base(), allowUnsignedContentType: 'yes' }, /allowUnsignedContentType/],
    [{ ...base(), schemes: ['rfc9421'], rfc9421: { allowUnsignedContent: 1 } }, /rfc9421\.allowUnsignedContent/],
    [{ ...base(), tolerance: 30 }, /tolerance/],
    [{ ...base(), nonceStore: {} }, /nonceStore/],
    [{ ...base(), keys: { 'bad id': KEY } }, /keys\.bad id: key ids must be/],
    [{ ...base(), keys: { [KEY_ID]: [] } }, new RegExp(`keys\\.${KEY_ID}: Too small`)],
    [{ ...base(), keys: { [KEY_ID]: [KEY, 'secret'] } }, new RegExp(`keys\\.${KEY_ID}\\.1: expected a SigilKey`)],
    [{ ...base(), keys: 5 }, /keys: expected a map from key id to keys, or a resolver function/],
    [{ ...base(), keys: { [KEY_ID]: new Uint8Array(8) } }, new RegExp(`keys\\.${KEY_ID}: .*at least 16 bytes`)],
    [{ ...base(), keys: { [KEY_ID]: { key: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' } } }, /encoding/],
    [{ ...base(), keys: { [KEY_ID]: { key: KEY, scope: { methods: ['GET POST'] } } } }, /methods/],
    [{ ...base(), keys: { [KEY_ID]: { key: KEY, scope: { pathPrefixes: ['v1'] } } } }, /pathPrefixes/],
    [{ ...base(), keys: { [KEY_ID]: { key: KEY, notBefore: 200, notAfter: 100 } } }, /notBefore is after notAfter/],
  ])('refuses %o with invalid_option naming the option', (options, message) => {
    const error = thrown(options);
    expect(error.code).toBe('invalid_option');
    expect(error.message).toMatch(message);
  });

  it('never puts a secret into the message', () => {
    const secret = 'not-hex-but-a-real-secret-value-0123';
    const error = thrown({ ...base(), keys: { [KEY_ID]: { key: secret, encoding: 'hex' } } });
    expect(error.message).toMatch(/keys\.client-1: the key is invalid: the secret is not valid hex/);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  it('imports string secrets with their stated encoding', async () => {
    const verifier = createVerifier({ ...base(), keys: { [KEY_ID]: { key: '07'.repeat(32), encoding: 'hex' } } });
    expect((await verifier.verify(signed())).ok).toBe(true);
  });

  it('shows no keys through inspect or JSON', () => {
    const verifier = createVerifier({ ...base(), keys: { [KEY_ID]: { key: 'ab'.repeat(32), encoding: 'hex' } } });
    expect(inspect(verifier, { depth: 10, showHidden: true })).not.toMatch(/abab|SigilKey \{ [^<]/);
    expect(JSON.stringify(verifier)).toBe('"Verifier { <redacted> }"');
  });

  it('debug mode returns the canonical string on a bad MAC, and refuses production', async () => {
    const request = signed();
    const forged = withHeader(request, 'sigil-signature', breakMac(header(request, 'sigil-signature')));
    const quiet = await createVerifier(base()).verify(forged);
    expect(quiet).not.toHaveProperty('canonical');
    const debug = await createVerifier({ ...base(), debug: true }).verify(forged);
    expect(debug).toMatchObject({ code: 'signature_invalid' });
    expect(!debug.ok && debug.canonical?.split('\n').slice(0, 3)).toEqual(['sigil-v1', 'hmac-sha256', KEY_ID]);
    vi.stubEnv('NODE_ENV', 'production');
    expect(thrown({ ...base(), debug: true }).message).toMatch(/debug cannot be enabled when NODE_ENV is production/);
    expect(() => createVerifier(base())).not.toThrow();
  });

  it('onEvent receives secret-free events; a throwing hook changes nothing', async () => {
    const events: VerifierEvent[] = [];
    const verifier = createVerifier({ ...base(), onEvent: (e) => events.push(e) });
    const request = signed({ target: '/v1/orders?token=abc' });
    await verifier.verify(request);
    await verifier.verify(request);
    await verifier.verify({ ...request, method: 'BAD METHOD', headers: [] });
    expect(events.map(({ latencyMs, ...rest }) => (expect(latencyMs).toBeGreaterThanOrEqual(0), rest))).toEqual([
      { type: 'accepted', keyId: KEY_ID, method: 'POST', path: '/v1/orders' },
      { type: 'rejected', code: 'nonce_replayed', keyId: KEY_ID, method: 'POST', path: '/v1/orders' },
      { type: 'rejected', code: 'signature_missing', path: '/v1/orders' },
    ]);
    const sig = header(request, 'sigil-signature');
    const text = JSON.stringify(events);
    for (const part of [/nonce=([^;]+)/.exec(sig)![1]!, /mac=([^;]+)/.exec(sig)![1]!, 'token', 'qty']) expect(text).not.toContain(part);

    const throwing = createVerifier({ ...base(), onEvent: () => { throw new Error('metrics down'); } });
    expect((await throwing.verify(signed())).ok).toBe(true);
  });
});
