// Every webhook vector (test-vectors/webhooks-*.json) through each scheme, on
// both crypto backends: positives accepted with the expected secret, signed
// bytes and replay key; negatives refused with the expected code.
import { vi, describe, expect, it } from 'vitest';
import * as webhooks from '@sigil/core/webhooks';
import { parseWebhookVectorFile, type WebhookVector } from '@sigil/core/webhooks';
import { readVectorText } from '../helpers/vectors.js';

type Webhooks = typeof webhooks;

const positives = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-positive.json'))).vectors;
const negatives = parseWebhookVectorFile(JSON.parse(readVectorText('webhooks-negative.json'))).vectors;

/** A fresh copy of the webhooks subpath on the @noble/hashes backend. */
async function portableWebhooks(): Promise<Webhooks> {
  const proc = process as { getBuiltinModule?: unknown };
  const original = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    vi.resetModules();
    const copy = (await import('../../src/webhooks/index.js')) as Webhooks;
    // The same module graph: the copy's crypto backend is the portable one.
    const { backend } = await import('../../src/crypto.js');
    if (backend.name !== 'noble') throw new Error('the portable copy did not load the noble backend');
    return copy;
  } finally {
    proc.getBuiltinModule = original;
    vi.resetModules();
  }
}

// Each copy is loaded once and shared by its tests.
const once = <T>(load: () => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};
const copies: Array<[string, () => Promise<Webhooks>]> = [
  ['native', async () => webhooks],
  ['portable', once(portableWebhooks)],
];

it('the corpus covers every scheme, both kinds, and every published example', () => {
  const schemes = new Set([...positives, ...negatives].map((v) => v.scheme));
  expect([...schemes].sort()).toEqual(['github', 'shopify', 'slack', 'standard-webhooks', 'stripe']);
  expect(positives.filter((v) => v.source.startsWith('https://')).map((v) => v.id)).toEqual([
    'sw-published-example',
    'github-published-example',
    'slack-published-example',
  ]);
  for (const v of positives) expect(v.kind).toBe('positive');
  for (const v of negatives) expect(v.kind).toBe('negative');
});

describe.each(copies)('%s backend', (_name, load) => {
  it.each(positives.map((v) => [v.id, v] as const))('accepts %s', async (_id, vector) => {
    const w = await load();
    if (vector.kind !== 'positive') throw new Error('not positive');
    const result = w.runWebhookVector(vector);
    expect(result.ok ? 'ok' : result.code).toBe('ok');
    if (!result.ok) return;
    expect(result.secretIndex).toBe(vector.expected.secretIndex);
    expect(result.timestamp ?? null).toBe(vector.expected.timestamp);
    expect(result.id ?? null).toBe(vector.expected.messageId);
    expect(result.idSigned).toBe(vector.expected.idSigned);
    expect(result.replay.source).toBe(vector.expected.replay.source);
    expect(result.replay.key).toBe(vector.expected.replay.key);
    const scheme = w.webhookSchemes[vector.scheme]({ secrets: vector.secrets });
    const body = w.vectorBytes(vector.request.body);
    expect(scheme.signedContent(scheme.parse(vector.request.headers), body)).toEqual(w.vectorBytes(vector.expected.signedContent));
  });

  it.each(negatives.map((v) => [v.id, v] as const))('refuses %s', async (_id, vector: WebhookVector) => {
    const w = await load();
    if (vector.kind !== 'negative') throw new Error('not negative');
    const result = w.runWebhookVector(vector);
    expect(result.ok ? 'ok' : result.code).toBe(vector.expected.code);
  });
});
