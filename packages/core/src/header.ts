import type { Algorithm } from './crypto.js';
import { SigilError } from './errors.js';
import { ALG, HEADER_LIST, HEADER_NAME, KEY_ID, LIMITS, MAC, NONCE, SIGNATURE_HEADER, TIMESTAMP, trimOws, VERSION } from './lib/syntax.js';

/** The algorithms v1 defines. */
export const ALGORITHMS: readonly Algorithm[] = ['hmac-sha256', 'hmac-sha512'];

/** Everything a Sigil-Signature header carries. */
export interface SignatureParams {
  readonly version: 1;
  readonly algorithm: Algorithm;
  readonly keyId: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly nonce: string;
  /** Signed header names: lowercase, strictly ascending, always including `host`. Frozen when parsed. */
  readonly headers: readonly string[];
  /** base64url (no padding) MAC. */
  readonly mac: string;
}

/**
 * What the parser returns: checked against SPEC.md section 3 and frozen, so
 * canonicalize() can tell it from a hand-made params object (by a private
 * brand, which no other object can carry) and skip checking it again.
 */
class ParsedParams implements SignatureParams {
  readonly version: 1;
  readonly algorithm: Algorithm;
  readonly keyId: string;
  readonly timestamp: number;
  readonly nonce: string;
  readonly headers: readonly string[];
  readonly mac: string;
  readonly #checked = true;

  constructor(algorithm: Algorithm, keyId: string, timestamp: number, nonce: string, headers: readonly string[], mac: string) {
    // Assigned in SignatureParams' order, which JSON and inspection show.
    this.version = 1;
    this.algorithm = algorithm;
    this.keyId = keyId;
    this.timestamp = timestamp;
    this.nonce = nonce;
    this.headers = headers;
    this.mac = mac;
    Object.freeze(this);
  }

  /** True for params this parser produced (frozen, so still as checked). */
  static checked(params: object): boolean {
    return #checked in params;
  }
}

/** @internal True when `params` came from parseSignatureHeader: checked, frozen, its `headers` a known list. */
export const isParsedParams = (params: object): boolean => ParsedParams.checked(params);

type ParamName = 'v' | 'alg' | 'kid' | 'ts' | 'nonce' | 'h' | 'mac';
const SYNTAX: Record<ParamName, RegExp> = { v: VERSION, alg: ALG, kid: KEY_ID, ts: TIMESTAMP, nonce: NONCE, h: HEADER_LIST, mac: MAC };

// The parameters in the order serializeParams writes them, each with the
// character set of its pattern in SYNTAX but unbounded repetition (a bounded
// quantifier costs the regex engine a counter per character); the lengths
// are checked after the match, the h list by parsedList. A header that
// passes parses exactly as the general path would parse it; anything else
// takes the general path.
const unbounded = (re: RegExp): string => re.source.slice(1, -1).replace(/\{\d+,\d+\}$/, '+');
const NAME = unbounded(HEADER_NAME);
const CANONICAL_ORDER = new RegExp(
  `^v=1;alg=(hmac-sha256|hmac-sha512);kid=(${unbounded(KEY_ID)});ts=(0|[1-9][0-9]*);` +
    `nonce=(${unbounded(NONCE)});h=(${NAME}(?:,${NAME})*);mac=(${unbounded(MAC)})$`,
);

/** The length limits CANONICAL_ORDER leaves out. */
function withinLimits(m: RegExpExecArray): boolean {
  const nonce = m[4]!.length;
  return (
    m[2]!.length <= LIMITS.keyId &&
    m[3]!.length <= LIMITS.timestampDigits &&
    nonce >= LIMITS.nonceMin &&
    nonce <= LIMITS.nonceMax &&
    m[6]!.length <= LIMITS.mac
  );
}

function malformed(detail: string): SigilError {
  return new SigilError('signature_header_malformed', { detail });
}

// Header lists built by signedHeaderList or parsed (below), checked and
// frozen, with their h value: canonicalize() and serializeParams() neither
// check nor join them again.
const JOINED = new WeakMap<readonly string[], string>();

/** @internal Freezes a list that passed checkHeaderList and remembers its h value. */
export function markValid<T extends readonly string[]>(names: T): T {
  JOINED.set(Object.freeze(names), names.join(','));
  return names;
}

/** @internal The h value of a list; throws signature_header_malformed when an unknown list fails checkHeaderList. */
export function headerListValue(names: readonly string[]): string {
  const known = JOINED.get(names);
  if (known !== undefined) return known;
  const problem = checkHeaderList(names);
  if (problem) throw malformed(problem);
  return names.join(',');
}

/**
 * Checks a signed-header list: 1 to 32 lowercase tokens, strictly ascending,
 * never the signature header itself. Returns a message or undefined.
 */
export function checkHeaderList(names: readonly string[]): string | undefined {
  if (names.length === 0 || names.length > LIMITS.signedHeaders) return `h must list 1 to ${LIMITS.signedHeaders} names`;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!HEADER_NAME.test(name)) return 'h holds a name that is not a lowercase token of at most 64 characters';
    if (name === SIGNATURE_HEADER) return 'h may not list sigil-signature';
    if (i > 0 && !(names[i - 1]! < name)) return 'h must be sorted ascending without duplicates';
  }
  return undefined;
}

// A client sends the same h value on every request, so parsed lists are
// kept by that value: a split, a check and a WeakMap entry per request cost
// more than the rest of the parse. Bounded, and cleared when full, so a
// stream of ever-new lists costs about what it did without the cache.
const PARSED = new Map<string, readonly string[]>();
const PARSED_MAX = 256;

// The last list asked for, by its own copy of the h value: a client's
// requests repeat it, and comparing two strings costs less than hashing one.
let lastH = '';
let lastList: readonly string[] = [];

function parsedList(h: string): readonly string[] {
  if (h === lastH) return lastList;
  const known = PARSED.get(h);
  if (known) return remember(known);
  const names = h.split(',');
  const problem = checkHeaderList(names);
  if (problem) throw malformed(problem);
  // Rebuilt from a copy: the strings kept must not hold the received header (MAC, nonce) alive.
  const list = markValid(names.join(',').split(','));
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(JOINED.get(list)!, list);
  return remember(list);
}

function remember(list: readonly string[]): readonly string[] {
  lastH = JOINED.get(list)!;
  lastList = list;
  return list;
}

/**
 * Parses a Sigil-Signature field value strictly (SPEC.md section 3.2): every
 * parameter exactly once, no unknown parameters, no whitespace inside, each
 * value within its character set and length. The params returned are
 * frozen plain data (JSON and keys as SignatureParams lists them). Throws a SigilError
 * (`signature_header_malformed`, `unsupported_version`,
 * `unsupported_algorithm`) and nothing else, whatever the input.
 *
 * @example
 * const params = parseSignatureHeader(req.headers.get('sigil-signature')!);
 */
export function parseSignatureHeader(value: string): SignatureParams {
  if (typeof value !== 'string') throw malformed('the value is not a string');
  const text = trimOws(value);
  if (text.length === 0) throw malformed('the value is empty');
  if (text.length > LIMITS.headerValue) throw malformed(`the value exceeds ${LIMITS.headerValue} characters`);
  const fast = CANONICAL_ORDER.exec(text);
  if (fast && withinLimits(fast)) {
    // One regex instead of a split and seven; the list is checked as below.
    return new ParsedParams(fast[1] as Algorithm, fast[2]!, Number(fast[3]), fast[4]!, parsedList(fast[5]!), fast[6]!);
  }
  const seen: Partial<Record<ParamName, string>> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw malformed('a parameter is not of the form name=value');
    const name = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    if (!Object.prototype.hasOwnProperty.call(SYNTAX, name)) throw malformed('unknown parameter');
    const key = name as ParamName;
    if (seen[key] !== undefined) throw malformed(`duplicate parameter ${key}`);
    const syntax = SYNTAX[key];
    if (!syntax.test(raw)) throw malformed(`parameter ${key} has a bad character or length`);
    seen[key] = raw;
  }
  for (const key of Object.keys(SYNTAX) as ParamName[]) {
    if (seen[key] === undefined) throw malformed(`missing parameter ${key}`);
  }
  if (seen.v !== '1') throw new SigilError('unsupported_version');
  if (!(ALGORITHMS as readonly string[]).includes(seen.alg!)) throw new SigilError('unsupported_algorithm');
  return new ParsedParams(seen.alg as Algorithm, seen.kid!, Number(seen.ts), seen.nonce!, parsedList(seen.h!), seen.mac!);
}

/**
 * Serialises parameters into a Sigil-Signature field value, in the canonical
 * parameter order `v;alg;kid;ts;nonce;h;mac`. Validates like the parser, so
 * it never emits a header that a verifier would refuse to parse.
 *
 * @example
 * headers.set('sigil-signature', formatSignatureHeader(params));
 */
export function formatSignatureHeader(params: SignatureParams): string {
  const value = serializeParams(params);
  parseSignatureHeader(value);
  return value;
}

/** @internal Serialises without validating; callers have validated already. */
export function serializeParams(params: SignatureParams): string {
  return (
    `v=${params.version};alg=${params.algorithm};kid=${params.keyId};ts=${params.timestamp}` +
    `;nonce=${params.nonce};h=${JOINED.get(params.headers) ?? params.headers.join(',')};mac=${params.mac}`
  );
}
