export { createVerifier } from './create-verifier.js';
export { createWebhookVerifier } from './create-webhook-verifier.js';
export { MemoryNonceStore } from './memory-nonce-store.js';
export type { MemoryNonceStoreOptions } from './memory-nonce-store.js';
export type { NonceStore } from './nonce-store.js';
export type { KeyEntry, KeyInput, KeyResolver, KeyScope, Rfc9421VerifierOptions, VerifierOptions, MixedVerifierOptions, WebhookVerifierOptions } from './options.js';
export type {
  AnyVerificationSuccess,
  BodySource,
  SignatureScheme,
  VerificationFailure,
  VerificationResult,
  VerificationSuccess,
  Verifier,
  VerifierEvent,
  VerifierRequest,
  WebhookVerificationSuccess,
} from './types.js';
export type { ResponseSignatureFields, SignVerifiedResponseOptions } from './lib/response-binding.js';
export type { VerifyOptions } from './types.js';
