export { sigilFastify } from './sigil-fastify.js';
export type { SigilFastifyOptions } from './sigil-fastify.js';
