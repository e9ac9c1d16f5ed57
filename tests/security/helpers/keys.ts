// The keys of the attack matrix, and the check that none of their secret
// bytes (in any encoding a log could show) appear in a piece of text.
import { base64Encode, base64urlEncode, hexEncode, importKey, type SigilKey } from '@sigil/core';
import { expect } from 'vitest';

export const KEY_ID = 'sec-client';
export const OTHER_ID = 'sec-other';

/** Recognisable secrets: 32 bytes each, in no way derived from each other. */
export const SECRET = Uint8Array.from({ length: 32 }, (_, i) => (i * 113 + 7) & 0xff);
export const OTHER_SECRET = Uint8Array.from({ length: 32 }, (_, i) => (i * 59 + 201) & 0xff);

export const KEY: SigilKey = importKey(SECRET);
export const OTHER_KEY: SigilKey = importKey(OTHER_SECRET);

/** Every key the matrix's verifiers know. */
export const KEYS = { [KEY_ID]: KEY, [OTHER_ID]: OTHER_KEY } as const;

/** The secrets as a log, an error or a response body could spell them. */
export const SECRET_FORMS: readonly string[] = [SECRET, OTHER_SECRET].flatMap((bytes) => [
  hexEncode(bytes),
  base64urlEncode(bytes),
  base64Encode(bytes),
  base64urlEncode(bytes).slice(0, 16),
  [...bytes].join(','),
  Buffer.from(bytes).toString('latin1'),
]);

/**
 * Fails when `text` holds a secret in any of its forms, or any of `more`
 * (MACs, nonces, signature headers seen on the wire).
 */
export function expectNoSecrets(text: string, where: string, more: readonly string[] = []): void {
  for (const form of [...SECRET_FORMS, ...more.filter((m) => m.length >= 4)]) {
    expect(text.includes(form), `${where} leaks ${form.slice(0, 6)}…`).toBe(false);
  }
}
