// Type-level checks of the response-signing API (issue 14's server half):
// verify's bindResponse option, signResponse's answer, the adapters'
// signResponses option and the sendUnsigned marker that returns its argument.
import type { ServerResponse } from 'node:http';
import { describe, expectTypeOf, it } from 'vitest';
import { sendUnsigned as sendUnsignedFetch, sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sendUnsigned, sigilListener, type SigilListenerOptions, type SignResponsesOption } from '../src/adapters/node/index.js';
import { createVerifier, type ResponseSignatureFields, type Verifier, type VerifyOptions } from '../src/index.js';

describe('response-signing types', () => {
  it('verify takes { bindResponse }, signResponse answers field lines or undefined', () => {
    expectTypeOf<Verifier['verify']>().parameter(1).toEqualTypeOf<VerifyOptions | undefined>();
    expectTypeOf<Verifier['signResponse']>().returns.toEqualTypeOf<ResponseSignatureFields | undefined>();
    expectTypeOf<ResponseSignatureFields[number]>().toEqualTypeOf<readonly [name: string, value: string]>();
    expectTypeOf<Verifier['acceptSignature']>().toEqualTypeOf<string | undefined>();
  });

  it('the adapters take signResponses: true or { headers, maxBodyBytes }', () => {
    expectTypeOf<SigilListenerOptions['signResponses']>().toEqualTypeOf<SignResponsesOption | undefined>();
    const verifier = createVerifier({ keys: {}, replay: false });
    sigilListener(verifier, () => undefined, { signResponses: { headers: ['etag'], maxBodyBytes: 1 } });
    sigilFetchHandler(verifier, () => new Response(), { signResponses: true });
  });

  it('sendUnsigned returns what it marks', () => {
    expectTypeOf(sendUnsigned({} as ServerResponse)).toEqualTypeOf<ServerResponse>();
    expectTypeOf(sendUnsignedFetch(new Response())).toEqualTypeOf<Response>();
  });
});
