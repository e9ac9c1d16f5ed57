export { sigilExpress } from './sigil-express.js';
export type { SigilExpressOptions, SigilExpressRequest } from './sigil-express.js';
export { sendUnsigned } from '../../lib/sign-responses.js';
export type { SignResponsesOption } from '../../lib/sign-responses.js';
