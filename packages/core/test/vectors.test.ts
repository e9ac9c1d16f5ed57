// The shared vectors (test-vectors/v1-*.json) against core, through both
// crypto backends. Reads the checked-in files, never the generator.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nativeCore from '@sigil/core';
import * as nativeVectors from '@sigil/core/vectors';
import type { PositiveVector } from '@sigil/core/vectors';
import { loadPortable } from './helpers/backends.js';
import { readVectorFile, type Core, type Vectors } from './helpers/vectors.js';

const positive = readVectorFile('v1-positive.json').vectors.filter((v): v is PositiveVector => v.kind === 'positive');
const negative = readVectorFile('v1-negative.json').vectors.flatMap((v) => (v.kind === 'negative' ? [v] : []));

describe('vector files', () => {
  it('hold only their own kind, with unique ids, in the quantities the issue asks for', () => {
    expect(readVectorFile('v1-positive.json').vectors.every((v) => v.kind === 'positive')).toBe(true);
    expect(readVectorFile('v1-negative.json').vectors.every((v) => v.kind === 'negative')).toBe(true);
    const ids = [...positive, ...negative].map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(positive.length).toBeGreaterThanOrEqual(30);
    expect(negative.length).toBeGreaterThanOrEqual(30);
  });

  it('cover every code a verifier without transport or nonce state can produce', () => {
    const codes = new Set(negative.map((v) => v.expected.error));
    for (const code of [
      'signature_in_query', 'signature_missing', 'signature_header_malformed', 'unsupported_version',
      'unsupported_algorithm', 'timestamp_out_of_window', 'header_not_signed', 'key_unknown', 'body_too_large',
      'signed_header_missing', 'header_value_invalid', 'method_invalid', 'target_invalid', 'signature_invalid',
    ] as const) {
      expect(codes, code).toContain(code);
    }
  });

  it('cover rotation (two secrets under one id) and both edges of the window, accepted', () => {
    expect(positive.some((v) => v.verify && v.verify.keys.filter((k) => k.id === v.key.id).length >= 2)).toBe(true);
    expect(positive.some((v) => v.verify && v.verify.policy.now - v.params.timestamp === v.verify.policy.toleranceSeconds)).toBe(true);
    expect(positive.some((v) => v.verify && v.params.timestamp - v.verify.policy.now === v.verify.policy.toleranceSeconds)).toBe(true);
  });

  it('cover SHA-512, every key encoding, and bodies of each form', () => {
    expect(positive.some((v) => v.params.algorithm === 'hmac-sha512')).toBe(true);
    expect(new Set(positive.map((v) => v.key.encoding))).toEqual(new Set(['base64url', 'base64', 'hex', 'utf8']));
    expect(positive.some((v) => v.request.body === null)).toBe(true);
    expect(positive.some((v) => v.request.body !== null && 'base64' in v.request.body && v.request.body.base64.length > 80_000)).toBe(true);
  });
});

const cores: Array<[string, () => Promise<{ core: Core; vectors: Vectors }>, 'node' | 'noble']> = [
  ['native backend', async () => ({ core: nativeCore, vectors: nativeVectors }), 'node'],
  ['portable backend', loadPortable, 'noble'],
];

describe.each(cores)('vectors through the %s', (_name, load, backendName) => {
  let core: Core;
  let vectors: Vectors;
  beforeAll(async () => {
    ({ core, vectors } = await load());
  });

  it(`runs on the ${backendName} backend`, () => {
    expect(core.backend.name).toBe(backendName);
  });

  it.each(positive.map((v) => [v.id, v] as const))('positive %s: canonical string, MAC and header byte for byte', (_id, v) => {
    const request = vectors.vectorRequest(v.request);
    const result = core.signRequest(request, vectors.vectorKey(v.key), {
      keyId: v.key.id,
      algorithm: v.params.algorithm,
      timestamp: v.params.timestamp,
      nonce: v.params.nonce,
      headers: v.params.headers,
    });
    expect(result.canonical).toBe(v.expected.canonical);
    expect(result.params.mac).toBe(v.expected.mac);
    expect(result.header).toBe(v.expected.header);
    expect(core.canonicalize(request, core.parseSignatureHeader(v.expected.header))).toBe(v.expected.canonical);
    const outcome = vectors.verifyVectorRequest({
      ...vectors.positiveVerifier(v),
      request: { ...v.request, headers: [...v.request.headers, ['Sigil-Signature', v.expected.header]] },
    });
    expect(outcome).toEqual({ ok: true, canonical: v.expected.canonical });
    expect(vectors.runVector(v)).toEqual({ expected: 'accepted', got: 'accepted', pass: true });
  });

  it.each(negative.map((v) => [v.id, v] as const))('negative %s', (_id, v) => {
    expect(vectors.verifyVectorRequest(v)).toEqual({ ok: false, code: v.expected.error });
    expect(vectors.runVector(v).pass).toBe(true);
  });
});
