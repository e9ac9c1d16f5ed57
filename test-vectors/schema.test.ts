// The published JSON Schemas are what other languages validate against, so
// they are checked here with an independent validator (ajv), not only
// through the zod schemas they are generated from.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const here = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const json = (name: string): unknown => JSON.parse(readFileSync(here(name), 'utf8'));

const cases = [
  { schema: 'schema.json', files: ['v1-positive.json', 'v1-negative.json'] },
  { schema: 'rfc9421-schema.json', files: ['rfc9421-positive.json', 'rfc9421-negative.json'] },
];

describe.each(cases)('$schema', ({ schema, files }) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(json(schema) as object);

  it.each(files)('%s conforms', (file) => {
    const ok = validate(json(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a file with an unknown top-level field', () => {
    const broken = { ...(json(files[0]!) as object), surprise: true };
    expect(validate(broken)).toBe(false);
  });
});
