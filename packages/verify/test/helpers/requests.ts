// VerifierRequest fixtures for calling verifier.verify() without a socket.
import type { HeaderList } from '@sigil/core';
import { MemoryNonceStore, type NonceStore, type VerifierRequest } from '../../src/index.js';
import { signedHeaders, type SignInput } from './sign.js';

export const HOST = 'api.example.com';

/** A signed request as an adapter would hand it over, from a loopback peer. */
export function signed(input: Partial<SignInput> = {}, extra: Partial<VerifierRequest> = {}): VerifierRequest {
  const method = input.method ?? 'POST';
  const target = input.target ?? '/v1/orders?dry_run=1';
  const body = input.body ?? '{"qty":1}';
  const headers = signedHeaders({ host: HOST, method, target, body, ...input, headers: { 'content-type': 'application/json', ...input.headers } });
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { method, target, headers: Object.entries(headers), body: bytes, remoteAddress: '127.0.0.1', ...extra };
}

/** The same request with one header line replaced (or added). */
export function withHeader(request: VerifierRequest, name: string, value: string): VerifierRequest {
  const lines = (request.headers as HeaderList).filter(([n]) => n.toLowerCase() !== name);
  return { ...request, headers: [...lines, [name, value]] };
}

/** A body reader that records whether the verifier asked for the bytes. */
export function lazyBody(bytes: Uint8Array): { read: (max: number) => Promise<Uint8Array>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    read: async (max) => {
      calls.push(max);
      return bytes;
    },
  };
}

/** Header value of a signed request. */
export function header(request: VerifierRequest, name: string): string {
  return (request.headers as HeaderList).find(([n]) => n === name)![1];
}

/** Counts calls and delegates to a real memory store. */
export class CountingStore implements NonceStore {
  calls = 0;
  readonly inner = new MemoryNonceStore();
  checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    this.calls++;
    return this.inner.checkAndStore(keyId, nonce, expiresAtMs);
  }
}
