// Loads a second copy of core whose crypto backend is the portable one
// (@noble/hashes): crypto.ts picks node:crypto through
// process.getBuiltinModule at load time, so hiding that function and
// re-importing gives the other backend.
import { vi } from 'vitest';
import type { Core, Vectors } from './vectors.js';

/** A fresh copy of core on the @noble/hashes backend. Restores `process` afterwards. */
export async function loadPortableCore(): Promise<Core> {
  return (await loadPortable()).core;
}

/** Fresh copies of core and its vectors subpath, sharing the @noble/hashes backend. */
export async function loadPortable(): Promise<{ core: Core; vectors: Vectors }> {
  const proc = process as { getBuiltinModule?: unknown };
  const original = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    vi.resetModules();
    const core = (await import('../../src/index.js')) as Core;
    const vectors = (await import('../../src/vectors.js')) as Vectors;
    return { core, vectors };
  } finally {
    proc.getBuiltinModule = original;
    vi.resetModules();
  }
}
