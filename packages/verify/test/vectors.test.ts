// The shared vectors (test-vectors/v1-*.json) through the whole verifier:
// every positive vector is accepted, every negative one refused with its
// code, under the clock and policy the vector states.
import { readFileSync } from 'node:fs';
import { base64Decode, type HeaderList } from '@sigil/core';
import { parseVectorFile, positiveVerifier, type NegativeVector, type PositiveVector, type VectorKey, type VectorRequest } from '@sigil/core/vectors';
import { describe, expect, it } from 'vitest';
import { createVerifier, type KeyEntry, type VerifierRequest } from '../src/index.js';

const read = (name: string) => parseVectorFile(JSON.parse(readFileSync(new URL(`../../../test-vectors/${name}`, import.meta.url), 'utf8')));
const positive = read('v1-positive.json').vectors.filter((v): v is PositiveVector => v.kind === 'positive');
const negative = read('v1-negative.json').vectors.filter((v): v is NegativeVector => v.kind === 'negative');

function body(request: VectorRequest): Uint8Array | null {
  if (request.body === null) return null;
  return 'utf8' in request.body ? new TextEncoder().encode(request.body.utf8) : base64Decode(request.body.base64)!;
}

/** As an adapter hands it over: field lines in order, from a loopback peer. */
function toRequest(request: VectorRequest, signature?: string): VerifierRequest {
  const headers: HeaderList = signature ? [...request.headers, ['Sigil-Signature', signature]] : request.headers;
  return { method: request.method, target: request.target, headers, body: body(request), remoteAddress: '127.0.0.1' };
}

function keyMap(keys: readonly VectorKey[]): Record<string, KeyEntry[]> {
  const map: Record<string, KeyEntry[]> = {};
  for (const k of keys) (map[k.id] ??= []).push({ key: k.secret, encoding: k.encoding });
  return map;
}

describe('shared vectors through createVerifier', () => {
  it('has vectors to run', () => {
    expect(positive.length).toBeGreaterThanOrEqual(30);
    expect(negative.length).toBeGreaterThanOrEqual(30);
  });

  it.each(positive.map((v) => [v.id, v] as const))('accepts positive %s', async (_id, v) => {
    const { keys, policy } = positiveVerifier(v);
    const verifier = createVerifier({
      keys: keyMap(keys),
      replay: false,
      clock: () => policy.now * 1000,
      toleranceSeconds: policy.toleranceSeconds,
      requiredHeaders: policy.requiredHeaders,
      maxBodyBytes: policy.maxBodyBytes ?? 2 ** 31,
    });
    const result = await verifier.verify(toRequest(v.request, v.expected.header));
    expect(result).toMatchObject({ ok: true, keyId: v.key.id, algorithm: v.params.algorithm, timestamp: v.params.timestamp });
  });

  it.each(negative.map((v) => [v.id, v] as const))('refuses negative %s with its code', async (_id, v) => {
    const verifier = createVerifier({
      keys: keyMap(v.keys),
      replay: false,
      clock: () => v.policy.now * 1000,
      toleranceSeconds: v.policy.toleranceSeconds,
      requiredHeaders: v.policy.requiredHeaders,
      ...(v.policy.maxBodyBytes === undefined ? {} : { maxBodyBytes: v.policy.maxBodyBytes }),
    });
    expect(await verifier.verify(toRequest(v.request))).toMatchObject({ ok: false, code: v.expected.error });
  });
});
