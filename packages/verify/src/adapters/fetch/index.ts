export { verifyFetchRequest } from './verify-fetch-request.js';
export type { FetchConnection } from './verify-fetch-request.js';
export { failureResponse } from './failure-response.js';
export { sigilFetchHandler } from './sigil-fetch-handler.js';
export type { SigilFetchHandler, SigilFetchHandlerOptions } from './sigil-fetch-handler.js';
export { sendUnsigned } from '../../lib/sign-responses.js';
export type { SignResponsesOption } from '../../lib/sign-responses.js';
