export { sigilHono } from './sigil-hono.js';
export type { SigilHonoEnv, SigilHonoOptions } from './sigil-hono.js';
export { sendUnsigned } from '../../lib/sign-responses.js';
export type { SignResponsesOption } from '../../lib/sign-responses.js';
