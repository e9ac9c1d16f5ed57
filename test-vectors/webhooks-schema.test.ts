// The published webhook vector JSON Schema, checked with an independent
// validator (ajv) against the checked-in files, not only through zod.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const json = (name: string): unknown => JSON.parse(readFileSync(fileURLToPath(new URL(`./${name}`, import.meta.url)), 'utf8'));

describe('webhooks-schema.json', () => {
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(json('webhooks-schema.json') as object);

  it.each(['webhooks-positive.json', 'webhooks-negative.json'])('%s conforms', (file) => {
    const ok = validate(json(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a vector with an unknown scheme or a missing field', () => {
    const file = json('webhooks-positive.json') as { vectors: Array<Record<string, unknown>> };
    expect(validate({ ...file, vectors: [{ ...file.vectors[0], scheme: 'paypal' }] })).toBe(false);
    const { now: _now, ...noClock } = file.vectors[0]!;
    expect(validate({ ...file, vectors: [noClock] })).toBe(false);
    expect(validate({ ...file, surprise: true })).toBe(false);
  });
});
