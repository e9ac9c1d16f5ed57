// The checked-in vector files must be exactly what the generator builds from
// the current core. A failure means core's output changed (regenerate with
// `pnpm vectors` and review the diff) or someone edited a file by hand.
import { describe, expect, it } from 'vitest';
import { buildVectorFiles } from '../../../test-vectors/generate.js';
import { readVectorText } from './helpers/vectors.js';

describe('test-vectors drift', () => {
  const built = buildVectorFiles();

  it('builds the three files', () => {
    expect(Object.keys(built).sort()).toEqual(['schema.json', 'v1-negative.json', 'v1-positive.json']);
  });

  it.each(Object.keys(built))('%s matches the generator byte for byte', (name) => {
    expect(readVectorText(name)).toBe(built[name]);
  });

  it('is deterministic: a second build is identical', () => {
    expect(buildVectorFiles()).toEqual(built);
  });
});
