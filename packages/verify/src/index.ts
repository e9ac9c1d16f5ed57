export { createVerifier } from './create-verifier.js';
export { MemoryNonceStore } from './memory-nonce-store.js';
export type { MemoryNonceStoreOptions } from './memory-nonce-store.js';
export type { NonceStore } from './nonce-store.js';
export type { KeyEntry, KeyInput, KeyResolver, KeyScope, Rfc9421VerifierOptions, VerifierOptions } from './options.js';
export type {
  BodySource,
  SignatureScheme,
  VerificationFailure,
  VerificationResult,
  VerificationSuccess,
  Verifier,
  VerifierEvent,
  VerifierRequest,
} from './types.js';
