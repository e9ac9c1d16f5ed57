import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

// Node-only: node:dns, node:net and undici's connector.
export default defineConfig(libraryBuild(['src/index.ts'], 'node'));
