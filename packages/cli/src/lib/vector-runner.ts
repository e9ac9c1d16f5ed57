// Runs one shared test vector against this implementation. Positive vectors
// are signed with @sigil/core and compared byte for byte, then verified;
// negative vectors go through core's public checks in the order of SPEC.md
// section 4 (steps 2-11: no transport, no nonce store), as the vectors'
// README defines their verifier.
import {
  base64Decode,
  checkCoverage,
  hasSignatureInQuery,
  importKey,
  isSigilError,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  SigilError,
  signRequest,
  verifySignature,
  type SigilRequest,
} from '@sigil/core';
import type { NegativeVector, PositiveVector, Vector, VectorKey, VectorRequest } from '@sigil/core/vectors';

/** What a vector expected and what this implementation did. */
export interface VectorOutcome {
  readonly expected: string;
  readonly got: string;
  readonly pass: boolean;
}

function toRequest(request: VectorRequest): SigilRequest {
  const body = request.body === null ? null : 'utf8' in request.body ? new TextEncoder().encode(request.body.utf8) : base64Decode(request.body.base64);
  if (body === undefined) throw new SigilError('vector_invalid', { detail: 'a base64 body is not canonical base64' });
  return { method: request.method, target: request.target, headers: request.headers, body };
}

const toKey = (key: VectorKey) => importKey(key.secret, { encoding: key.encoding });

function positive(v: PositiveVector): string {
  const request = toRequest(v.request);
  const signed = signRequest(request, toKey(v.key), {
    keyId: v.key.id,
    algorithm: v.params.algorithm,
    timestamp: v.params.timestamp,
    nonce: v.params.nonce,
    headers: v.params.headers,
  });
  if (signed.canonical !== v.expected.canonical) return 'canonical string differs';
  if (signed.params.mac !== v.expected.mac) return 'mac differs';
  if (signed.header !== v.expected.header) return 'header differs';
  const verified = verifySignature(request, v.expected.header, toKey(v.key));
  return verified.ok ? 'accepted' : verified.code;
}

/** Steps 2-11 of SPEC.md section 4 with the vector's keys and policy; throws the first failure. */
function negative(v: NegativeVector): string {
  const { policy } = v;
  if (hasSignatureInQuery(v.request.target)) throw new SigilError('signature_in_query');
  const fields = v.request.headers.filter(([name]) => name.toLowerCase() === SIGNATURE_HEADER);
  if (fields.length !== 1) throw new SigilError(fields.length === 0 ? 'signature_missing' : 'signature_header_malformed');
  const params = parseSignatureHeader(fields[0]![1]);
  if (Math.abs(policy.now - params.timestamp) > policy.toleranceSeconds) throw new SigilError('timestamp_out_of_window');
  checkCoverage(params, policy.requiredHeaders);
  const keys = v.keys.filter((key) => key.id === params.keyId).map(toKey);
  if (keys.length === 0) throw new SigilError('key_unknown');
  const request = toRequest(v.request);
  if (policy.maxBodyBytes !== undefined && (request.body?.length ?? 0) > policy.maxBodyBytes) throw new SigilError('body_too_large');
  const result = verifySignature(request, params, keys, { requiredHeaders: policy.requiredHeaders });
  return result.ok ? 'accepted' : result.code;
}

/** Runs one vector; never throws for a Sigil error (it becomes the `got` code). */
export function runVector(vector: Vector): VectorOutcome {
  const expected = vector.kind === 'positive' ? 'accepted' : vector.expected.error;
  let got: string;
  try {
    got = vector.kind === 'positive' ? positive(vector) : negative(vector);
  } catch (error) {
    if (!isSigilError(error)) throw error;
    got = error.code;
  }
  return { expected, got, pass: got === expected };
}
