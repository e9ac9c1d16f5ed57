// Reads the checked-in vector files. Running them is core's own
// runVector()/verifyVectorRequest() (src/vector-runner.ts), shared with the CLI.
import { readFileSync } from 'node:fs';
import { parseVectorFile, type VectorFile } from '@sigil/core/vectors';
import type * as CoreModule from '../../src/index.js';
import type * as VectorsModule from '../../src/vectors.js';

/** The core module namespace: the default copy or one loaded with another crypto backend. */
export type Core = typeof CoreModule;
/** The vectors subpath namespace, loaded alongside a Core copy. */
export type Vectors = typeof VectorsModule;

const DIR = new URL('../../../../test-vectors/', import.meta.url);

/** The text of a file in test-vectors/. */
export function readVectorText(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** A checked-in vector file, validated by core's schema. */
export function readVectorFile(name: 'v1-positive.json' | 'v1-negative.json'): VectorFile {
  return parseVectorFile(JSON.parse(readVectorText(name)));
}

