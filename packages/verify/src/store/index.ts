// `@sigil/verify/store`: what a NonceStore author needs so every store checks,
// times out and reports failures the same way. Memory, Redis and PostgreSQL
// stores use it; the shared contract suite (private @sigil/store-contract)
// tests the result.
export { checkNonceArguments } from './arguments.js';
export { sanitizedCause } from './sanitize.js';
export { storeUnavailable } from './unavailable.js';
export { withTimeout } from './timeout.js';
export type { NonceStore } from '../nonce-store.js';
