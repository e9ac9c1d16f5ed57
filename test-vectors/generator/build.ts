// The two ways a vector is made: a positive one by signing with core, a
// negative one by signing with core and then changing what the verifier
// receives. Every MAC here is computed by core; nothing is hand-written.
import {
  backend,
  base64urlDecode,
  base64urlEncode,
  canonicalize,
  formatSignatureHeader,
  signRequest,
  type Algorithm,
  type SignResult,
} from '../../packages/core/src/index.js';
import type { NegativeVector, PositiveVector, VectorKey, VectorRequest } from '../../packages/core/src/vectors.js';
import type { SigilErrorCode } from '../../packages/core/src/errors.js';
import { KEYS, NOW, TOLERANCE, nonceFor, toKey, toSigilRequest } from './fixtures.js';

/** Parameters of one signature; everything but the id has a default. */
export interface SignSpec {
  key?: VectorKey;
  algorithm?: Algorithm;
  timestamp?: number;
  nonce?: string;
  /** Extra names to sign as a client would pass them (any case). */
  headers?: string[];
  /** The verifier setup of a positive vector, when not the default. */
  verify?: PositiveVector['verify'];
}

function signWith(id: string, request: VectorRequest, spec: SignSpec): { result: SignResult; params: PositiveVector['params'] } {
  const params = {
    algorithm: spec.algorithm ?? 'hmac-sha256',
    timestamp: spec.timestamp ?? NOW,
    nonce: spec.nonce ?? nonceFor(id),
    headers: spec.headers ?? [],
  } as const;
  const result = signRequest(toSigilRequest(request), toKey(spec.key ?? KEYS.main), {
    keyId: (spec.key ?? KEYS.main).id,
    algorithm: params.algorithm,
    timestamp: params.timestamp,
    nonce: params.nonce,
    headers: params.headers,
  });
  return { result, params: { ...params, headers: [...params.headers] } };
}

/** A positive vector: the request signed by core, with its canonical string, MAC and header. */
export function positive(id: string, title: string, request: VectorRequest, spec: SignSpec = {}): PositiveVector {
  const { result, params } = signWith(id, request, spec);
  return {
    id,
    title,
    kind: 'positive',
    key: { ...(spec.key ?? KEYS.main) },
    request,
    params,
    ...(spec.verify ? { verify: spec.verify } : {}),
    expected: { canonical: result.canonical, mac: result.params.mac, header: result.header },
  };
}

/** A request as a verifier receives it, with its Sigil-Signature header line appended. */
export function withSignature(request: VectorRequest, header: string, name = 'Sigil-Signature'): VectorRequest {
  return { ...request, headers: [...request.headers, [name, header]] };
}

/** Signs `request` and returns the header value (to tamper with) and the signed request. */
export function signed(id: string, request: VectorRequest, spec: SignSpec = {}): { header: string; received: VectorRequest } {
  const { result } = signWith(id, request, spec);
  return { header: result.header, received: withSignature(request, result.header) };
}

/**
 * Signs with an explicit header list, bypassing signRequest's rule that
 * `host` is always added: for the vectors where a client left `host` out.
 * Still core's canonicalize and core's HMAC backend.
 */
export function signWithoutHost(id: string, request: VectorRequest, headers: string[]): VectorRequest {
  const key = KEYS.main;
  const params = { version: 1 as const, algorithm: 'hmac-sha256' as const, keyId: key.id, timestamp: NOW, nonce: nonceFor(id), headers };
  const secret = base64urlDecode(key.secret);
  if (!secret) throw new Error('generator bug: main key is not base64url');
  const mac = base64urlEncode(backend.prepareMac(params.algorithm, secret)(canonicalize(toSigilRequest(request), params)));
  return withSignature(request, formatSignatureHeader({ ...params, mac }));
}

/** Replaces one `name=value` parameter of a header value (the value is inserted as is). */
export function setParam(header: string, name: string, value: string): string {
  const parts = header.split(';');
  const index = parts.findIndex((part) => part.startsWith(`${name}=`));
  if (index < 0) throw new Error(`generator bug: no parameter ${name}`);
  parts[index] = `${name}=${value}`;
  return parts.join(';');
}

/** Reads one parameter of a header value the generator made. */
export function getParam(header: string, name: string): string {
  const part = header.split(';').find((p) => p.startsWith(`${name}=`));
  if (part === undefined) throw new Error(`generator bug: no parameter ${name}`);
  return part.slice(name.length + 1);
}

/** Verifier policy of a negative vector; defaults: now = NOW, tolerance 300, nothing required. */
export interface PolicySpec {
  keys?: VectorKey[];
  now?: number;
  toleranceSeconds?: number;
  requiredHeaders?: string[];
  maxBodyBytes?: number;
}

/** A negative vector: what the verifier holds and receives, and the code it must answer. */
export function negative(
  id: string,
  title: string,
  received: VectorRequest,
  error: SigilErrorCode,
  policy: PolicySpec = {},
): NegativeVector {
  return {
    id,
    title,
    kind: 'negative',
    keys: (policy.keys ?? [KEYS.main]).map((key) => ({ ...key })),
    request: received,
    policy: {
      now: policy.now ?? NOW,
      toleranceSeconds: policy.toleranceSeconds ?? TOLERANCE,
      requiredHeaders: policy.requiredHeaders ?? [],
      ...(policy.maxBodyBytes === undefined ? {} : { maxBodyBytes: policy.maxBodyBytes }),
    },
    expected: { error },
  };
}
