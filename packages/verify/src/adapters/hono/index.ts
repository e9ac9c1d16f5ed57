export { sigilHono } from './sigil-hono.js';
export type { SigilHonoEnv, SigilHonoOptions } from './sigil-hono.js';
