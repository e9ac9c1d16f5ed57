// SPEC.md section 4, steps 6 and 8: how the verifier reads Content-Length.
// A readable one (repeated identical values included) refuses an oversize
// body unread; a malformed or conflicting one is an unknown length: the
// body is read under the same cap, and the head counts as declaring
// content, so an unsigned Content-Type is refused.
import { describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type VerifierRequest } from '../src/index.js';
import { lazyBody, signed } from './helpers/requests.js';
import { KEY, KEY_ID } from './helpers/sign.js';

const verifier = (maxBodyBytes = 1024) => createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), maxBodyBytes });

/** A signed POST (content-type signed) with these Content-Length lines added and the body behind a lazy reader. */
function withLengths(lines: string[], body = '{"qty":1}'): { request: VerifierRequest; calls: number[] } {
  const base = signed({ body });
  const reader = lazyBody(base.body as Uint8Array);
  const headers = [...(base.headers as Array<[string, string]>), ...lines.map((v): [string, string] => ['content-length', v])];
  return { request: { ...base, headers, body: reader.read }, calls: reader.calls };
}

describe('Content-Length at step 8', () => {
  it('a readable length above maxBodyBytes is refused before the body is read, also repeated identically ("9, 9" or two lines)', async () => {
    for (const lines of [['9'], ['9', '9'], ['9, 9']]) {
      const { request, calls } = withLengths(lines);
      expect(await verifier(4).verify(request), lines.join('|')).toMatchObject({ code: 'body_too_large' });
      expect(calls).toEqual([]);
    }
  });

  it('a malformed or conflicting length is unknown: no early refusal, the body is read under the cap', async () => {
    for (const lines of [['+9'], ['9x'], ['1', '9'], ['1, 9'], ['9'.repeat(16)]]) {
      const small = withLengths(lines);
      expect(await verifier().verify(small.request), lines.join('|')).toMatchObject({ ok: true });
      expect(small.calls).toEqual([1024]);
      const capped = withLengths(lines);
      expect(await verifier(4).verify(capped.request), lines.join('|')).toMatchObject({ code: 'body_too_large' });
      expect(capped.calls).toEqual([4]);
    }
  });
});

describe('Content-Length at step 6 (the content rule)', () => {
  /** A POST whose signature covers host only. */
  const unsignedType = (lines: string[]) => {
    const base = signed({ options: { headers: ['host'] } });
    return { ...base, headers: [...(base.headers as Array<[string, string]>), ...lines.map((v): [string, string] => ['content-length', v])] };
  };

  it('a malformed or conflicting length declares content: an unsigned Content-Type is header_not_signed', async () => {
    for (const lines of [['9'], ['+9'], ['0', '9'], ['0, 1'], ['']]) {
      expect(await verifier().verify(unsignedType(lines)), lines.join('|')).toMatchObject({ code: 'header_not_signed' });
    }
  });

  it('a readable 0 (also "0, 0") declares none: an unsigned Content-Type passes that step', async () => {
    for (const lines of [['0'], ['0', '0'], ['0, 0']]) {
      // The body then does not match the declared 0, but the MAC covers the bytes received: accepted.
      expect(await verifier().verify(unsignedType(lines)), lines.join('|')).toMatchObject({ ok: true });
    }
  });
});
