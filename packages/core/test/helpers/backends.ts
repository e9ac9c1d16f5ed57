// Loads a second copy of core whose crypto backend is the portable one
// (@noble/hashes): crypto.ts picks node:crypto through
// process.getBuiltinModule at load time, so hiding that function and
// re-importing gives the other backend.
import { vi } from 'vitest';
import type { Core } from './vectors.js';

/** A fresh copy of core on the @noble/hashes backend. Restores `process` afterwards. */
export async function loadPortableCore(): Promise<Core> {
  const proc = process as { getBuiltinModule?: unknown };
  const original = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  try {
    vi.resetModules();
    return (await import('../../src/index.js')) as Core;
  } finally {
    proc.getBuiltinModule = original;
    vi.resetModules();
  }
}
