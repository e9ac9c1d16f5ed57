export { sigilFastify } from './sigil-fastify.js';
export type { SigilFastifyOptions } from './sigil-fastify.js';
export { sendUnsigned } from '../../lib/sign-responses.js';
export type { SignResponsesOption } from '../../lib/sign-responses.js';
