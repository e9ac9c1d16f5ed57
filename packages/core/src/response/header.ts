import type { Algorithm } from '../crypto.js';
import { SigilError } from '../errors.js';
import { ALGORITHMS } from '../header.js';
import { ALG, HEADER_LIST, KEY_ID, LIMITS, MAC, TIMESTAMP, trimOws, VERSION } from '../lib/syntax.js';
import { responseHeaderListProblem } from './canonicalize.js';

/** Everything a Sigil-Response-Signature header carries. */
export interface ResponseSignatureParams {
  readonly version: 1;
  readonly algorithm: Algorithm;
  readonly keyId: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** Signed response header names: lowercase, strictly ascending; may be empty. */
  readonly headers: readonly string[];
  /** base64url (no padding) MAC. */
  readonly mac: string;
}

type ParamName = 'v' | 'alg' | 'kid' | 'ts' | 'h' | 'mac';
const EMPTY_OR_LIST = new RegExp(`^(?:${HEADER_LIST.source.slice(1, -1)})?$`);
const SYNTAX: Record<ParamName, RegExp> = { v: VERSION, alg: ALG, kid: KEY_ID, ts: TIMESTAMP, h: EMPTY_OR_LIST, mac: MAC };

function malformed(detail: string): SigilError {
  return new SigilError('response_signature_malformed', { detail });
}

/**
 * Parses a Sigil-Response-Signature field value strictly (SPEC.md section
 * 11.3): the six parameters exactly once, nothing unknown, no whitespace
 * inside. Throws a SigilError (`response_signature_malformed`,
 * `unsupported_version`, `unsupported_algorithm`) and nothing else.
 *
 * @example
 * const params = parseResponseSignatureHeader(res.headers.get('sigil-response-signature')!);
 */
export function parseResponseSignatureHeader(value: string): ResponseSignatureParams {
  if (typeof value !== 'string') throw malformed('the value is not a string');
  const text = trimOws(value);
  if (text.length === 0) throw malformed('the value is empty');
  if (text.length > LIMITS.headerValue) throw malformed(`the value exceeds ${LIMITS.headerValue} characters`);
  const seen: Partial<Record<ParamName, string>> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw malformed('a parameter is not of the form name=value');
    const name = part.slice(0, eq);
    if (!Object.prototype.hasOwnProperty.call(SYNTAX, name)) throw malformed('unknown parameter');
    const key = name as ParamName;
    if (seen[key] !== undefined) throw malformed(`duplicate parameter ${key}`);
    const raw = part.slice(eq + 1);
    if (!SYNTAX[key].test(raw)) throw malformed(`parameter ${key} has a bad character or length`);
    seen[key] = raw;
  }
  for (const key of Object.keys(SYNTAX) as ParamName[]) if (seen[key] === undefined) throw malformed(`missing parameter ${key}`);
  if (seen.v !== '1') throw new SigilError('unsupported_version');
  if (!(ALGORITHMS as readonly string[]).includes(seen.alg!)) throw new SigilError('unsupported_algorithm');
  const headers = seen.h === '' ? [] : seen.h!.split(',');
  const problem = responseHeaderListProblem(headers);
  if (problem) throw malformed(problem);
  return {
    version: 1,
    algorithm: seen.alg as Algorithm,
    keyId: seen.kid!,
    timestamp: Number(seen.ts),
    headers: Object.freeze(headers),
    mac: seen.mac!,
  };
}

/**
 * Serialises parameters into a Sigil-Response-Signature field value, in the
 * order `v;alg;kid;ts;h;mac`, and checks that it parses back.
 *
 * @example
 * headers.set('sigil-response-signature', formatResponseSignatureHeader(params));
 */
export function formatResponseSignatureHeader(params: ResponseSignatureParams): string {
  const value =
    `v=${params.version};alg=${params.algorithm};kid=${params.keyId};ts=${params.timestamp}` +
    `;h=${params.headers.join(',')};mac=${params.mac}`;
  parseResponseSignatureHeader(value);
  return value;
}
