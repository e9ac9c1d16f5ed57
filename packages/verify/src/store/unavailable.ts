import { SigilError } from '@sigil/core';

/**
 * The error every storage failure becomes: `nonce_store_unavailable`, which
 * the verifier answers with 503 (fail closed). Give it a sanitised cause
 * (`sanitizedCause`), never the client's own error.
 *
 * @example
 * if (this.closed) throw storeUnavailable('the store is closed');
 */
export function storeUnavailable(detail: string, cause?: Error): SigilError {
  return new SigilError('nonce_store_unavailable', cause ? { detail, cause } : { detail });
}
