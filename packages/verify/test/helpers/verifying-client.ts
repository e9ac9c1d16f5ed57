// The signing fetch that verifies responses (issue 14's client half), as
// the response-signing tests drive it: a clock `offsetMs` off, its events
// recorded, an optional transport in between (an on-path attacker).
import type { SigilKey } from '@sigil/core';
import { createSigningFetch, type SigningEvent, type SigningFetchOptions } from '@sigil/fetch';

export interface VerifyingClientOptions {
  readonly keyId: string;
  readonly key: SigilKey;
  readonly offsetMs?: number;
  readonly events?: SigningEvent[];
  readonly fetch?: SigningFetchOptions['fetch'];
}

/** createSigningFetch({ verifyResponses: true }) bound to `origin`, believing a server clock up to 15 minutes off. */
export function verifyingClient(origin: string, options: VerifyingClientOptions) {
  const events = options.events;
  return createSigningFetch({
    keyId: options.keyId,
    secret: options.key,
    origins: [origin],
    verifyResponses: true,
    maxClockSkewSeconds: 900,
    clock: () => Date.now() + (options.offsetMs ?? 0),
    ...(events ? { onEvent: (event: SigningEvent) => void events.push(event) } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
