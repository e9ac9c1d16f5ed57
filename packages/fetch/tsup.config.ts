import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.base.js';

// No static node: imports: the fetch wrapper runs on any runtime with fetch;
// the undici interceptor reaches Node built-ins at call time.
export default defineConfig(libraryBuild(['src/index.ts']));
