export { verifyNodeRequest } from './verify-node-request.js';
export { writeNodeFailure } from './write-node-failure.js';
export { sigilListener } from './sigil-listener.js';
export type { SigilNodeListener, SigilListenerOptions } from './sigil-listener.js';
export { sendUnsigned } from '../../lib/sign-responses.js';
export type { SignResponsesOption } from '../../lib/sign-responses.js';
