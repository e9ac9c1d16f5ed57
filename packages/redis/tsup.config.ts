import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

// The store only needs the NonceStore *type* from @sigil/verify. The import is
// type-only (erased from the JS), and the declarations inline that interface,
// so installing @sigil/redis requires nothing of @sigil/verify: the store is
// assignable to any verifier's NonceStore structurally.
export default defineConfig({ ...libraryBuild(['src/index.ts']), dts: { resolve: ['@sigil/verify'] } });
