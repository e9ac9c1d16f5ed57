// The orchestrator's side of the store bench: one child process with
// --expose-gc (for the memory store's heap delta), its JSON read back.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runNode } from '../lib/child.js';
import type { StoresResult } from './child.js';

/**
 * Runs the store bench in its own process.
 *
 * @example
 * const stores = await runStores();
 */
export async function runStores(): Promise<StoresResult> {
  const file = fileURLToPath(new URL('../results/tmp/stores.json', import.meta.url));
  await runNode('stores', [file], ['--expose-gc']);
  return JSON.parse(readFileSync(file, 'utf8')) as StoresResult;
}
