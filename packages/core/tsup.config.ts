import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

export default defineConfig(libraryBuild({ index: 'src/index.ts', vectors: 'src/vectors.ts', 'rfc9421/index': 'src/rfc9421/index.ts', 'webhooks/index': 'src/webhooks/index.ts', 'options/index': 'src/options/index.ts' }));
