// Test fixtures: requests signed with core's signRequest, the way a client does.
import { importKey, signRequest, type SigilKey, type SignOptions } from '@sigil/core';

export const SECRET = new Uint8Array(32).fill(7);
export const KEY: SigilKey = importKey(SECRET);
export const OTHER_KEY: SigilKey = importKey(new Uint8Array(32).fill(9));
export const KEY_ID = 'client-1';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface SignInput {
  method: string;
  /** Path and query. */
  target: string;
  /** Host as the server will see it, e.g. `127.0.0.1:4000`. */
  host: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  key?: SigilKey;
  options?: Partial<SignOptions>;
}

/** The headers to send (host included) for a signed request. */
export function signedHeaders(input: SignInput): Record<string, string> {
  const headers: Record<string, string> = { host: input.host, ...input.headers };
  const body = typeof input.body === 'string' ? new TextEncoder().encode(input.body) : input.body;
  const { header } = signRequest(
    { method: input.method, target: input.target, headers: Object.entries(headers), body: body ?? null },
    input.key ?? KEY,
    { keyId: KEY_ID, timestamp: nowSeconds(), headers: Object.keys(headers), ...input.options },
  );
  return { ...headers, 'sigil-signature': header };
}

/** Replaces the MAC with another valid-looking one (same length, other bytes). */
export function breakMac(signature: string): string {
  return signature.replace(/mac=([A-Za-z0-9_-])/, (_, c: string) => `mac=${c === 'A' ? 'B' : 'A'}`);
}
