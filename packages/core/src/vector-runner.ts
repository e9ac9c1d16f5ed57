// Runs the shared vectors against this implementation: the one place that
// composes core's public functions into the vectors' verifier (SPEC.md
// section 4, steps 2-10: no transport, no scope, no nonce store). Used by the
// test suite and by `sigil vectors check`.
import { SigilError, isSigilError, type SigilErrorCode } from './errors.js';
import { parseSignatureHeader } from './header.js';
import { importKey, type SigilKey } from './key.js';
import { base64Decode, utf8 } from './lib/encoding.js';
import { asciiLower, SIGNATURE_HEADER } from './lib/syntax.js';
import { canonicalize } from './canonicalize.js';
import { hasSignatureInQuery } from './query.js';
import type { SigilRequest } from './request.js';
import { signRequest } from './sign.js';
import { checkCoverage, verifySignature } from './verify.js';
import type { NegativeVector, PositiveVector, Vector, VectorKey, VectorRequest } from './vectors.js';

/** The request a vector describes, as core reads it. Throws `vector_invalid` on a non-canonical base64 body. */
export function vectorRequest(request: VectorRequest): SigilRequest {
  const body = request.body === null ? null : 'utf8' in request.body ? utf8(request.body.utf8) : base64Decode(request.body.base64);
  if (body === undefined) throw new SigilError('vector_invalid', { detail: 'a base64 body is not canonical base64' });
  return { method: request.method, target: request.target, headers: request.headers, body };
}

/** The key a vector key describes. */
export function vectorKey(key: VectorKey): SigilKey {
  return importKey(key.secret, { encoding: key.encoding });
}

/** What the vectors' verifier decided: accepted, or the code of the first failing step. */
export type VectorVerdict = { readonly ok: true; readonly canonical: string } | { readonly ok: false; readonly code: SigilErrorCode };

/**
 * SPEC.md section 4 steps 2-10 with a vector's key set and policy.
 *
 * @example
 * verifyVectorRequest(negativeVector); // { ok: false, code: 'signature_invalid' }
 */
export function verifyVectorRequest(vector: Pick<NegativeVector, 'keys' | 'request' | 'policy'>): VectorVerdict {
  const { request: raw, policy } = vector;
  try {
    if (hasSignatureInQuery(raw.target)) throw new SigilError('signature_in_query');
    const lines = raw.headers.filter(([name]) => asciiLower(name) === SIGNATURE_HEADER);
    if (lines.length !== 1) throw new SigilError(lines.length === 0 ? 'signature_missing' : 'signature_header_malformed');
    const params = parseSignatureHeader(lines[0]![1]);
    if (Math.abs(policy.now - params.timestamp) > policy.toleranceSeconds) throw new SigilError('timestamp_out_of_window');
    checkCoverage(params, policy.requiredHeaders, raw.headers);
    const keys = vector.keys.filter((key) => key.id === params.keyId).map(vectorKey);
    const request = vectorRequest(raw);
    if (policy.maxBodyBytes !== undefined && (request.body?.length ?? 0) > policy.maxBodyBytes) throw new SigilError('body_too_large');
    // An unknown kid is answered as a known one with a bad MAC: after the body and the canonical string (step 7).
    if (keys.length === 0) {
      canonicalize(request, params);
      throw new SigilError('key_unknown');
    }
    const result = verifySignature(request, params, keys, { requiredHeaders: policy.requiredHeaders });
    return result.ok ? { ok: true, canonical: result.canonical } : { ok: false, code: result.code };
  } catch (error) {
    if (isSigilError(error)) return { ok: false, code: error.code };
    throw error;
  }
}

/** What a vector expected, what this implementation did, and whether they agree. */
export interface VectorOutcome {
  readonly expected: string;
  /** `accepted`, a mismatch (`canonical string differs`, `mac differs`, `header differs`) or an error code. */
  readonly got: string;
  readonly pass: boolean;
}

/** The verifier a positive vector states, or the default: its own key, now = ts, tolerance 300. */
export function positiveVerifier(v: PositiveVector): Pick<NegativeVector, 'keys' | 'policy'> {
  return v.verify ?? { keys: [v.key], policy: { now: v.params.timestamp, toleranceSeconds: 300, requiredHeaders: [] } };
}

function runPositive(v: PositiveVector): string {
  const signed = signRequest(vectorRequest(v.request), vectorKey(v.key), {
    keyId: v.key.id,
    algorithm: v.params.algorithm,
    timestamp: v.params.timestamp,
    nonce: v.params.nonce,
    headers: v.params.headers,
  });
  if (signed.canonical !== v.expected.canonical) return 'canonical string differs';
  if (signed.params.mac !== v.expected.mac) return 'mac differs';
  if (signed.header !== v.expected.header) return 'header differs';
  const verdict = verifyVectorRequest({
    ...positiveVerifier(v),
    request: { ...v.request, headers: [...v.request.headers, ['Sigil-Signature', v.expected.header]] },
  });
  if (!verdict.ok) return verdict.code;
  return verdict.canonical === v.expected.canonical ? 'accepted' : 'canonical string differs';
}

/**
 * Runs one vector: a positive one is signed and compared byte for byte, then
 * verified; a negative one goes through verifyVectorRequest(). Never throws
 * for a Sigil error: it becomes the `got` code.
 *
 * @example
 * const { pass } = runVector(file.vectors[0]!);
 */
export function runVector(vector: Vector): VectorOutcome {
  const expected = vector.kind === 'positive' ? 'accepted' : vector.expected.error;
  let got: string;
  try {
    if (vector.kind === 'positive') {
      got = runPositive(vector);
    } else {
      const verdict = verifyVectorRequest(vector);
      got = verdict.ok ? 'accepted' : verdict.code;
    }
  } catch (error) {
    if (!isSigilError(error)) throw error;
    got = error.code;
  }
  return { expected, got, pass: got === expected };
}
