// Type-level checks of the public API (run by vitest's expectTypeOf; the
// root typecheck fails on any mismatch).
import type { SigilErrorCode } from '@sigil/core';
import { describe, expectTypeOf, it } from 'vitest';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { createVerifier, type VerificationResult, type VerificationSuccess, type Verifier } from '../src/index.js';

describe('public types', () => {
  it('narrows a result on ok', () => {
    expectTypeOf(createVerifier).returns.toEqualTypeOf<Verifier>();
    expectTypeOf<Verifier['verify']>().returns.resolves.toEqualTypeOf<VerificationResult>();
    const result = {} as VerificationResult;
    if (result.ok) expectTypeOf(result.body).toEqualTypeOf<Uint8Array>();
    else expectTypeOf(result.code).toEqualTypeOf<SigilErrorCode>();
  });

  it('never types a nonce or MAC into a success', () => {
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('nonce');
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('mac');
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('params');
  });

  it("keeps a Fetch handler's extra arguments (Next.js context)", () => {
    type Context = { params: Promise<{ id: string }> };
    const handler = sigilFetchHandler(createVerifier({ keys: {}, replay: false }), async (_req, v, ctx: Context) => Response.json({ id: (await ctx.params).id, k: v.keyId }));
    expectTypeOf(handler).toEqualTypeOf<(request: Request, ctx: Context) => Promise<Response>>();
  });

  it('gives a node listener the verification', () => {
    expectTypeOf(sigilListener).parameter(1).parameter(2).toEqualTypeOf<VerificationSuccess>();
  });
});
