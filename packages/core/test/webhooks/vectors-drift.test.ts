// The checked-in webhook vector files must be exactly what the generator
// builds from the current core (regenerate with
// `node --import tsx test-vectors/webhooks/generate.ts` and review the diff).
import { describe, expect, it } from 'vitest';
import { buildWebhookVectorFiles } from '../../../../test-vectors/webhooks/generate.js';
import { readVectorText } from '../helpers/vectors.js';

describe('webhook test-vectors drift', () => {
  const built = buildWebhookVectorFiles();

  it('builds the three files', () => {
    expect(Object.keys(built).sort()).toEqual(['webhooks-negative.json', 'webhooks-positive.json', 'webhooks-schema.json']);
  });

  it.each(Object.keys(built))('%s matches the generator byte for byte', (name) => {
    expect(readVectorText(name)).toBe(built[name]);
  });

  it('is deterministic: a second build is identical', () => {
    expect(buildWebhookVectorFiles()).toEqual(built);
  });
});
