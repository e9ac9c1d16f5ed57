// Both crypto backends against RFC 4231 (HMAC-SHA-256/512) and FIPS 180
// digests. Only the cases with ASCII data: the backend MACs canonical strings,
// which are ASCII by construction (SPEC.md section 2.1).
import { describe, expect, it } from 'vitest';
import { backends, hexEncode, type CryptoBackend } from '@sigil/core';

const fill = (length: number, byte: number) => new Uint8Array(length).fill(byte);
const LONG_KEY = fill(131, 0xaa);

// [case, key, data, HMAC-SHA-256, HMAC-SHA-512]; case 5 is compared truncated to 128 bits.
const RFC4231: Array<[string, Uint8Array, string, string, string]> = [
  ['1', fill(20, 0x0b), 'Hi There',
    'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854'],
  ['2', new TextEncoder().encode('Jefe'), 'what do ya want for nothing?',
    '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'],
  ['5', fill(20, 0x0c), 'Test With Truncation', 'a3b6167473100ee06e0c796c2955552b', '415fad6271580a531d4179bc891d87a6'],
  ['6', LONG_KEY, 'Test Using Larger Than Block-Size Key - Hash Key First',
    '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598'],
  ['7', LONG_KEY,
    'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58'],
];

const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const ABC_SHA512 =
  'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';

const available: Array<[string, CryptoBackend]> = [['portable', backends.portable]];
if (backends.native) available.push(['native', backends.native]);

it('runs both backends under Node', () => {
  expect(available.map(([name, b]) => `${name}:${b.name}`)).toEqual(['portable:noble', 'native:node']);
});

describe.each(available)('%s backend', (_name, backend) => {
  it.each(RFC4231)('RFC 4231 case %s', (_case, key, data, sha256, sha512) => {
    expect(hexEncode(backend.prepareMac('hmac-sha256', key)(data)).slice(0, sha256.length)).toBe(sha256);
    expect(hexEncode(backend.prepareMac('hmac-sha512', key)(data)).slice(0, sha512.length)).toBe(sha512);
  });

  it('a prepared MAC gives the same result on every call', () => {
    const mac = backend.prepareMac('hmac-sha256', fill(20, 0x0b));
    expect(hexEncode(mac('Hi There'))).toBe(hexEncode(mac('Hi There')));
    expect(hexEncode(mac('other'))).not.toBe(hexEncode(mac('Hi There')));
  });

  it('SHA-256 and SHA-512 of "abc" (FIPS 180-2), one-shot and incremental', () => {
    const abc = new TextEncoder().encode('abc');
    expect(backend.sha256Hex(abc)).toBe(ABC_SHA256);
    expect(hexEncode(backend.digest('sha256', abc))).toBe(ABC_SHA256);
    expect(hexEncode(backend.digest('sha512', abc))).toBe(ABC_SHA512);
    const h = backend.createSha256();
    h.update(abc.subarray(0, 1));
    h.update(abc.subarray(1));
    expect(h.hex()).toBe(ABC_SHA256);
  });
});
