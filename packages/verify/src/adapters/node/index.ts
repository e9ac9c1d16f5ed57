export { verifyNodeRequest } from './verify-node-request.js';
export { writeNodeFailure } from './write-node-failure.js';
export { sigilListener } from './sigil-listener.js';
export type { SigilNodeListener } from './sigil-listener.js';
