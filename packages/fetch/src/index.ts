export { createSigningFetch } from './create-signing-fetch.js';
export type { SigningFetch } from './create-signing-fetch.js';
export { signingInterceptor } from './signing-interceptor.js';
export { DEFAULT_MAX_BODY_BYTES } from './options.js';
export type { SigningEvent } from './lib/events.js';
export type { AcceptRefusal } from './lib/accept-signature.js';
export type { Rfc9421SigningOptions, SigningScheme } from './lib/scheme-options.js';
export type {
  CrossOriginRedirect,
  FetchLike,
  WrappedFetchInit,
  RedirectOptions,
  SigningFetchOptions,
  SigningInterceptorOptions,
  SigningOptions,
  VerifyResponsesOption,
} from './options.js';
