export { sigilExpress } from './sigil-express.js';
export type { SigilExpressOptions, SigilExpressRequest } from './sigil-express.js';
