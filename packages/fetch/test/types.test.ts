// Type-level checks of the public API (run by `pnpm typecheck`, and trivially at runtime).
import { importKey, type SigilKey } from '@sigil/core';
import { createSigningFetch, signingInterceptor, type AcceptRefusal, type SigningEvent, type SigningFetch, type SigningFetchOptions, type SigningInterceptorOptions, type VerifyResponsesOption } from '@sigil/fetch';
import { Agent, Client, fetch as undiciFetch, interceptors, type Dispatcher } from 'undici';
import { describe, expectTypeOf, it } from 'vitest';
import { SECRET_BYTES } from './helpers.js';

const key: SigilKey = importKey(SECRET_BYTES);

describe('public types', () => {
  it('createSigningFetch() has exactly the type of fetch', () => {
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, origins: '*' });
    expectTypeOf(signedFetch).toEqualTypeOf<typeof fetch>();
    expectTypeOf<SigningFetch>().toEqualTypeOf<typeof globalThis.fetch>();
    expectTypeOf(signedFetch).parameter(0).toEqualTypeOf<Parameters<typeof fetch>[0]>();
    expectTypeOf(signedFetch).returns.toEqualTypeOf<Promise<Response>>();
  });

  it("takes undici's fetch as it is", () => {
    createSigningFetch({ keyId: 'k', secret: key, fetch: undiciFetch, origins: '*' });
    createSigningFetch({ keyId: 'k', secret: key, fetch: globalThis.fetch, origins: '*' });
  });

  it('secret forms; a string needs secretEncoding only at runtime', () => {
    expectTypeOf<SigningFetchOptions['secret']>().toEqualTypeOf<SigilKey | Uint8Array | string>();
    // Compile-time only: never called.
    const wrong = (): void => {
      // @ts-expect-error an unknown algorithm
      createSigningFetch({ keyId: 'k', secret: key, algorithm: 'hmac-md5', origins: '*' });
      // @ts-expect-error keyId is required
      createSigningFetch({ secret: key, origins: '*' });
      // @ts-expect-error origins is required: a list, or '*' written out
      createSigningFetch({ keyId: 'k', secret: key });
    };
    void wrong;
  });

  it('signingInterceptor() composes onto any undici dispatcher', () => {
    const interceptor = signingInterceptor({ keyId: 'k', secret: key, origins: ['https://api.example.com'] });
    expectTypeOf(interceptor).toEqualTypeOf<Dispatcher.DispatcherComposeInterceptor>();
    const agent: Dispatcher = new Agent().compose(interceptor, interceptors.retry(), interceptors.redirect({ maxRedirections: 2 }));
    const client: Dispatcher = new Client('https://api.example.com').compose(interceptor);
    void agent.close();
    void client.close();
  });

  it('verifyResponses on both clients, acceptSignature on the wrapper only', () => {
    expectTypeOf<SigningFetchOptions['verifyResponses']>().toEqualTypeOf<VerifyResponsesOption | undefined>();
    expectTypeOf<SigningInterceptorOptions['verifyResponses']>().toEqualTypeOf<VerifyResponsesOption | undefined>();
    expectTypeOf<SigningFetchOptions['acceptSignature']>().toEqualTypeOf<boolean | { readonly maxComponents?: number } | undefined>();
    expectTypeOf<AcceptRefusal>().toExtend<NonNullable<SigningEvent['reason']>>();
    const wrong = (): void => {
      // @ts-expect-error the interceptor does not act on Accept-Signature
      signingInterceptor({ keyId: 'k', secret: key, origins: '*', acceptSignature: true });
    };
    void wrong;
  });
});
