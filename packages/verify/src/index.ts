export { createVerifier } from './create-verifier.js';
export { MemoryNonceStore } from './memory-nonce-store.js';
export type { MemoryNonceStoreOptions } from './memory-nonce-store.js';
export type { NonceStore } from './nonce-store.js';
export type { KeyEntry, KeyInput, KeyResolver, KeyScope, VerifierOptions } from './options.js';
export type {
  BodySource,
  VerificationFailure,
  VerificationResult,
  VerificationSuccess,
  Verifier,
  VerifierEvent,
  VerifierRequest,
} from './types.js';
