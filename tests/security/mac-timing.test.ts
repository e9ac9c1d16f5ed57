// Attack: timing on the MAC comparison, and malformed MACs. No timing is
// measured here (timed assertions are flaky by nature); instead the tests
// show the structure that makes the comparison constant-time: every MAC of
// the right length is compared only after a MAC was computed under every
// candidate key (rotation included), wherever it differs; wrong lengths are
// refused from their (attacker-chosen, public) length alone; no shape of
// MAC makes the verifier throw.
import { importKey, SigilKey } from '@sigil/core';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { KEY_ID, SECRET } from './helpers/keys.js';
import { attackedStack, headerOf, signingClient, startStack, withHeader } from './helpers/stack.js';

// Three active keys under one id (rotation); the client's secret is the last.
const ROTATION = [importKey(new Uint8Array(32).fill(1)), importKey(new Uint8Array(32).fill(2)), importKey(SECRET)];
const ctx = attackedStack({ verifier: { keys: { [KEY_ID]: ROTATION } } });
// The verifier computes each key's MAC as base64url text (core matchMac).
let macSpy: MockInstance<SigilKey['macBase64url']>;

beforeEach(() => {
  macSpy = vi.spyOn(SigilKey.prototype, 'macBase64url');
});
afterEach(() => macSpy.mockRestore());

/** How many MACs the verifier computed under each rotation key. */
const macsPerKey = (): number[] => ROTATION.map((key) => macSpy.mock.contexts.filter((c) => c === key).length);

/** Sends a real signed request through the attacker with the MAC replaced. */
async function withMac(change: (mac: string) => string): Promise<{ status: number; body: unknown }> {
  ctx.attacker.tamper = (r) => withHeader(r, 'sigil-signature', headerOf(r, 'sigil-signature')!.replace(/mac=([A-Za-z0-9_-]*)$/, (_, mac: string) => `mac=${change(mac)}`));
  const res = await signingClient(ctx.attacker.origin)(`${ctx.attacker.origin}/v1/pay`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
  return { status: res.status, body: await res.json() };
}

/** A canonical base64url character other than `c` whose two low bits are zero (valid as the last of 43). */
const otherTail = (c: string): string => ('AEIMQUYcgkosw048'.includes(c) && c !== 'A' ? 'A' : 'E');

describe('attack: timing on the MAC comparison', () => {
  it('control: the genuine MAC is accepted, after a MAC under every rotation key', async () => {
    expect((await withMac((mac) => mac)).status).toBe(200);
    expect(macsPerKey()).toEqual([1, 1, 1]);
  });

  it.each([
    ['differs in the first byte', (mac: string) => (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1)],
    ['differs in the last byte', (mac: string) => mac.slice(0, -1) + otherTail(mac.at(-1)!)],
    ['is all zero bytes', (mac: string) => 'A'.repeat(mac.length)],
  ])('a MAC that %s goes the same way: every key MACed, then signature_invalid', async (_name, change) => {
    expect(await withMac(change)).toEqual({ status: 401, body: { error: 'signature_invalid' } });
    expect(macsPerKey()).toEqual([1, 1, 1]);
    expect(ctx.stack.events.at(-1)).toMatchObject({ type: 'rejected', code: 'signature_invalid' });
  });

  it('matching the first key still MACs under the others (which key matched does not show in timing)', async () => {
    const first = await startStack({ verifier: { keys: { [KEY_ID]: [ROTATION[2]!, ROTATION[0]!, ROTATION[1]!] } } });
    macSpy.mockClear();
    expect((await signingClient(first.origin)(`${first.origin}/x`)).status).toBe(200);
    expect(macsPerKey()).toEqual([1, 1, 1]);
  });
});

describe('attack: truncated and over-long MACs', () => {
  it.each([
    ['truncated to 16 bytes', (mac: string) => mac.slice(0, 22)],
    ['one character short', (mac: string) => mac.slice(0, -1)],
    ['doubled (64 bytes for a 32-byte MAC)', (mac: string) => mac + mac],
    ['non-canonical trailing bits', (mac: string) => mac.slice(0, -1) + 'B'],
  ])('%s: signature_invalid without an exception, refused on its public length before any key is used', async (_name, change) => {
    expect(await withMac(change)).toEqual({ status: 401, body: { error: 'signature_invalid' } });
    expect(macsPerKey()).toEqual([0, 0, 0]);
  });

  it.each([
    ['longer than the grammar allows (129+ characters)', (mac: string) => mac.repeat(4)],
    ['empty', () => ''],
    ['outside base64url', (mac: string) => `${mac.slice(0, -2)}+/`],
  ])('%s: refused by the parser (signature_header_malformed)', async (_name, change) => {
    expect(await withMac(change)).toEqual({ status: 401, body: { error: 'signature_header_malformed' } });
    expect(macsPerKey()).toEqual([0, 0, 0]);
  });
});
