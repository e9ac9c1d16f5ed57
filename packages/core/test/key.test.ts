// Key import (SPEC.md section 5) and redaction: a secret never shows through
// util.inspect, JSON, string conversion or error messages.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  exportKey,
  KEY_ENCODINGS,
  generateKey,
  importKey,
  isSigilError,
  MAX_KEY_BYTES,
  MIN_KEY_BYTES,
  signRequest,
  SigilKey,
  type KeyEncoding,
} from '@sigil/core';
import { loadPortableCore } from './helpers/backends.js';

const BYTES = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const ENCODED: Record<KeyEncoding, string> = {
  base64url: 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA',
  base64: 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=',
  hex: '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
  utf8: '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f ',
};
const REQUEST = { method: 'GET', target: '/', headers: [['host', 'a.example']] as Array<[string, string]> };
const macOf = (key: SigilKey) => signRequest(REQUEST, key, { keyId: 'k', timestamp: 1, nonce: 'A'.repeat(22) }).params.mac;

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('importKey', () => {
  it.each(Object.entries(ENCODED) as Array<[KeyEncoding, string]>)('decodes %s to the same bytes', (encoding, text) => {
    const key = importKey(text, { encoding });
    expect(key.length).toBe(32);
    expect(exportKey(key, 'hex')).toBe(ENCODED.hex);
    expect(macOf(key)).toBe(macOf(importKey(BYTES)));
  });

  it('accepts uppercase hex, ArrayBuffer and other views', () => {
    const expected = macOf(importKey(BYTES));
    expect(macOf(importKey(ENCODED.hex.toUpperCase(), { encoding: 'hex' }))).toBe(expected);
    expect(macOf(importKey(BYTES.buffer.slice(0)))).toBe(expected);
    expect(macOf(importKey(new DataView(BYTES.buffer)))).toBe(expected);
  });

  it('copies the input bytes', () => {
    const bytes = BYTES.slice();
    const key = importKey(bytes);
    const before = macOf(key);
    bytes.fill(0);
    expect(macOf(key)).toBe(before);
  });

  it('returns a SigilKey as it is', () => {
    const key = importKey(BYTES);
    expect(importKey(key)).toBe(key);
  });

  it.each<[string, () => unknown]>([
    ['a string without an encoding', () => importKey(ENCODED.base64url)],
    ['an unknown encoding', () => importKey(ENCODED.base64url, { encoding: 'latin1' as KeyEncoding })],
    ['base64url with padding', () => importKey(`${ENCODED.base64url}=`, { encoding: 'base64url' })],
    ['base64 without padding', () => importKey(ENCODED.base64url, { encoding: 'base64' })],
    ['odd-length hex', () => importKey('abc', { encoding: 'hex' })],
    ['non-hex digits', () => importKey('zz'.repeat(16), { encoding: 'hex' })],
    [`${MIN_KEY_BYTES - 1} bytes`, () => importKey(new Uint8Array(MIN_KEY_BYTES - 1))],
    [`${MAX_KEY_BYTES + 1} bytes`, () => importKey(new Uint8Array(MAX_KEY_BYTES + 1))],
    ['a number', () => importKey(42 as unknown as string)],
  ])('refuses %s with invalid_key', (_name, run) => {
    expect(isSigilError(errorOf(run), 'invalid_key')).toBe(true);
  });

  it('accepts exactly the minimum and maximum lengths', () => {
    expect(importKey(new Uint8Array(MIN_KEY_BYTES)).length).toBe(MIN_KEY_BYTES);
    expect(importKey(new Uint8Array(MAX_KEY_BYTES)).length).toBe(MAX_KEY_BYTES);
  });
});

describe('redaction', () => {
  const secret = 'my very secret passphrase! 1234567890';
  const key = importKey(secret, { encoding: 'utf8' });

  it.each<[string, () => string]>([
    ['util.inspect', () => inspect(key)],
    ['util.inspect of a holder', () => inspect({ nested: { key } }, { depth: 5, showHidden: true })],
    ['JSON.stringify', () => JSON.stringify({ key })],
    ['String()', () => String(key)],
    ['a template literal', () => `${key}`],
    ['concatenation', () => 'k:' + key],
    ['Object.entries', () => JSON.stringify(Object.entries(key))],
  ])('%s never shows the secret', (_name, show) => {
    const text = show();
    expect(text).not.toContain(secret);
    expect(text).not.toContain('passphrase');
  });

  it('error messages never contain the secret text', () => {
    for (const encoding of ['base64url', 'base64', 'hex'] as const) {
      const error = errorOf(() => importKey(secret, { encoding }));
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(inspect(error)).not.toContain(secret);
    }
    const short = 'short-secret';
    expect(errorOf(() => importKey(short, { encoding: 'utf8' })).message).not.toContain(short);
  });
});

describe('generateKey and exportKey', () => {
  it('makes distinct 32-byte keys that export and re-import to the same MAC', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a.length).toBe(32);
    expect(exportKey(a)).not.toBe(exportKey(b));
    expect(macOf(importKey(exportKey(a), { encoding: 'base64url' }))).toBe(macOf(a));
    expect(macOf(importKey(exportKey(a, 'hex'), { encoding: 'hex' }))).toBe(macOf(a));
  });
});

describe('two copies of core', () => {
  it('accept each other\'s keys (Symbol.for brand)', async () => {
    const other = await loadPortableCore();
    const foreign = other.importKey(BYTES);
    expect(foreign).toBeInstanceOf(SigilKey);
    expect(importKey(foreign)).toBe(foreign);
    expect(macOf(foreign)).toBe(macOf(importKey(BYTES)));
    expect(importKey(BYTES)).toBeInstanceOf(other.SigilKey);
    expect({}).not.toBeInstanceOf(SigilKey);
  });
});

describe('KEY_ENCODINGS, the one list of secret encodings', () => {
  it('is exactly what importKey accepts: each entry imports, any other name is invalid_key', () => {
    const secret = { base64url: 'AAAAAAAAAAAAAAAAAAAAAA', base64: 'AAAAAAAAAAAAAAAAAAAAAA==', hex: '00'.repeat(16), utf8: 'sixteen-bytes-ok' } as const;
    expect([...KEY_ENCODINGS].sort()).toEqual(Object.keys(secret).sort());
    for (const encoding of KEY_ENCODINGS) expect(importKey(secret[encoding], { encoding })).toBeInstanceOf(SigilKey);
    expect(() => importKey('00'.repeat(16), { encoding: 'latin1' as never })).toThrow(expect.objectContaining({ code: 'invalid_key' }));
    expect(Object.isFrozen(KEY_ENCODINGS)).toBe(true);
  });
});
