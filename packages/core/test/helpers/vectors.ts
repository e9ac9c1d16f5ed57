// Reads the checked-in vector files and runs them against a copy of core.
// The verifier here only composes core's public functions in the order of
// SPEC.md section 4 (steps 2-10, without transport, scope and nonce state);
// it re-implements nothing of the canonical string.
import { readFileSync } from 'node:fs';
import { parseVectorFile, type NegativeVector, type VectorFile, type VectorKey, type VectorRequest } from '@sigil/core/vectors';
import type * as CoreModule from '../../src/index.js';

/** The core module namespace: the default copy or one loaded with another crypto backend. */
export type Core = typeof CoreModule;

const DIR = new URL('../../../../test-vectors/', import.meta.url);

/** The text of a file in test-vectors/. */
export function readVectorText(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** A checked-in vector file, validated by core's schema. */
export function readVectorFile(name: 'v1-positive.json' | 'v1-negative.json'): VectorFile {
  return parseVectorFile(JSON.parse(readVectorText(name)));
}

/** The request a vector describes, as core reads it. */
export function toRequest(core: Core, request: VectorRequest): CoreModule.SigilRequest {
  let body: Uint8Array | null = null;
  if (request.body !== null) {
    const decoded = 'utf8' in request.body ? new TextEncoder().encode(request.body.utf8) : core.base64Decode(request.body.base64);
    if (!decoded) throw new Error('vector body is not canonical base64');
    body = decoded;
  }
  return { method: request.method, target: request.target, headers: request.headers, body };
}

/** The core key a vector key describes. */
export function toKey(core: Core, key: VectorKey): CoreModule.SigilKey {
  return core.importKey(key.secret, { encoding: key.encoding });
}

/** What the vector verifier decides: accepted, or the code of the first failing step. */
export type Outcome = { ok: true; canonical: string } | { ok: false; code: CoreModule.SigilErrorCode };

function failure(core: Core, error: unknown): Outcome {
  if (core.isSigilError(error)) return { ok: false, code: error.code };
  throw error;
}

/** Runs SPEC.md section 4 steps 2-10 with a negative vector's key set and policy. */
export function verifyVector(core: Core, vector: Pick<NegativeVector, 'keys' | 'request' | 'policy'>): Outcome {
  const { request: raw, policy } = vector;
  try {
    if (core.hasSignatureInQuery(raw.target)) throw new core.SigilError('signature_in_query');
    const lines = raw.headers.filter(([name]) => name.toLowerCase() === core.SIGNATURE_HEADER);
    if (lines.length === 0) throw new core.SigilError('signature_missing');
    if (lines.length > 1) throw new core.SigilError('signature_header_malformed');
    const params = core.parseSignatureHeader(lines[0]![1]);
    if (Math.abs(policy.now - params.timestamp) > policy.toleranceSeconds) throw new core.SigilError('timestamp_out_of_window');
    core.checkCoverage(params, policy.requiredHeaders);
    const keys = vector.keys.filter((key) => key.id === params.keyId).map((key) => toKey(core, key));
    if (keys.length === 0) throw new core.SigilError('key_unknown');
    const request = toRequest(core, raw);
    if (policy.maxBodyBytes !== undefined && (request.body?.length ?? 0) > policy.maxBodyBytes) {
      throw new core.SigilError('body_too_large');
    }
    const result = core.verifySignature(request, params, keys, { requiredHeaders: policy.requiredHeaders });
    return result.ok ? { ok: true, canonical: result.canonical } : { ok: false, code: result.code };
  } catch (error) {
    return failure(core, error);
  }
}
