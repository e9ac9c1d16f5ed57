import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

// The vector schemas of rfc9421/ and webhooks/ are entries of their own (not
// published subpaths) so that they land in chunks of their own: a bundler
// drops a whole unused chunk (sideEffects: false), but not the zod schemas
// built at the top level of a file that also holds code the program uses.
export default defineConfig(
  libraryBuild({
    index: 'src/index.ts',
    vectors: 'src/vectors.ts',
    'rfc9421/index': 'src/rfc9421/index.ts',
    'rfc9421/vectors': 'src/rfc9421/vectors.ts',
    'webhooks/index': 'src/webhooks/index.ts',
    'webhooks/vectors': 'src/webhooks/vectors.ts',
    'options/index': 'src/options/index.ts',
  }),
);
