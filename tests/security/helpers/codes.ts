// One request for every code a verifier can answer with, as data: the same
// cases run in-process (verifier.verify) for the audit events and over a
// real socket for the response bodies. A new server code fails the
// completeness checks until it gets a case here.
import { ERROR_CODES, ERROR_STATUS, hexEncode, SigilError, signRequest, type SigilErrorCode } from '@sigil/core';
import { rfc9421Key, signRfc9421 } from '@sigil/core/rfc9421';
import { MemoryNonceStore, type NonceStore, type VerifierOptions, type VerifierRequest } from '@sigil/verify';
import { KEY, KEY_ID, OTHER_KEY, OTHER_SECRET, SECRET } from './keys.js';

// The webhook schemes' own codes (@sigil/core/webhooks) reach a verifier
// response once those schemes are wired into createVerifier; until then no
// request can produce them here. The wiring step removes this exclusion.
const NOT_YET_WIRED: readonly SigilErrorCode[] = ['webhook_header_missing', 'webhook_header_malformed'];

/** Codes a verifier answers with (the ones with status 500 are raised locally, never sent). */
export const SERVER_CODES: readonly SigilErrorCode[] = ERROR_CODES.filter((code) => ERROR_STATUS[code] !== 500 && !NOT_YET_WIRED.includes(code));

export const HOST = 'api.sigil.test';
export const MAX_BODY = 1024;

/** A nonce store that fails on demand: full, or down with an error message holding a secret. */
export class SwitchableStore implements NonceStore {
  mode: 'ok' | 'full' | 'down' = 'ok';
  readonly #inner = new MemoryNonceStore();

  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    if (this.mode === 'full') throw new SigilError('nonce_store_full');
    if (this.mode === 'down') throw new Error(`READONLY replica; AUTH ${hexEncode(SECRET)}`);
    return this.#inner.checkAndStore(keyId, nonce, expiresAtMs);
  }
}

const SCOPED = { key: KEY, scope: { pathPrefixes: ['/public'] } };

/** The verifier every case is written for: both schemes, a resolver that can fail, a 1 KiB body cap. */
export function codesVerifierOptions(store: NonceStore): VerifierOptions {
  return {
    schemes: ['v1', 'rfc9421'],
    maxBodyBytes: MAX_BODY,
    nonceStore: store,
    keys: (id) => {
      // A failing secret manager whose error message holds a secret: it must go nowhere.
      if (id === 'sec-broken') throw new Error(`vault unreachable, cached secret ${hexEncode(OTHER_SECRET)}`);
      if (id === 'sec-scoped') return SCOPED;
      return id === KEY_ID ? KEY : undefined;
    },
  };
}

type Pair = readonly [string, string];

/** A case: the request as sent on the wire, and what the verifier needs besides. */
export interface CodeCase {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly Pair[];
  readonly body: Buffer;
  /** In-process connection facts (default: a loopback peer). */
  readonly connection?: Pick<VerifierRequest, 'secure' | 'remoteAddress'>;
  /** Send once first, then again: the second answer counts. */
  readonly twice?: boolean;
  readonly store?: SwitchableStore['mode'];
  /** The body reader fails (a client that went away); not expressible as a complete wire request. */
  readonly bodyFails?: boolean;
  /** Why this case cannot travel over Node's HTTP parser, if it cannot. */
  readonly offWire?: string;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

interface Signed {
  method?: string;
  target?: string;
  headers?: Pair[];
  body?: string;
  keyId?: string;
  key?: typeof KEY;
  timestamp?: number;
  sign?: string[];
}

/** A v1 request signed by core, the way the client signs. */
function v1(input: Signed = {}): CodeCase {
  const method = input.method ?? 'POST';
  const target = input.target ?? '/v1/orders?dry_run=1';
  const body = Buffer.from(input.body ?? '{"card":"4111 1111 1111 1111"}');
  const headers: Pair[] = [['host', HOST], ['content-type', 'application/json'], ...(input.headers ?? [])];
  const { header } = signRequest({ method, target, headers, body }, input.key ?? KEY, {
    keyId: input.keyId ?? KEY_ID,
    timestamp: input.timestamp ?? nowSeconds(),
    headers: ['content-type', ...(input.sign ?? [])],
  });
  return { method, target, headers: [...headers, ['sigil-signature', header]], body };
}

/** The case with its Sigil-Signature value rewritten. */
function editSignature(c: CodeCase, edit: (value: string) => string): CodeCase {
  return { ...c, headers: c.headers.map(([n, v]): Pair => (n === 'sigil-signature' ? [n, edit(v)] : [n, v])) };
}

/** An RFC 9421 request whose body changed after signing: its Content-Digest no longer matches. */
function rfc9421BodySwapped(): CodeCase {
  const base = v1();
  const headers = base.headers.filter(([n]) => n !== 'sigil-signature');
  const r = signRfc9421({ method: base.method, target: base.target, headers, body: base.body, scheme: 'http' }, rfc9421Key(KEY), { keyid: KEY_ID, created: nowSeconds() });
  return {
    ...base,
    headers: [...headers, ['content-digest', r.contentDigest!], ['signature-input', r.signatureInput], ['signature', r.signature]],
    body: Buffer.from('{"card":"4111 1111 1111 9999"}'),
  };
}

/** One case per code a verifier answers with. */
export function codeCases(): Record<string, CodeCase> {
  return {
    insecure_transport: { ...v1(), connection: { secure: false, remoteAddress: '203.0.113.9' }, offWire: 'a loopback peer is exempt' },
    signature_in_query: v1({ target: '/v1/orders?sigil-signature=v%3D1' }),
    signature_missing: { ...v1(), headers: v1().headers.filter(([n]) => n !== 'sigil-signature') },
    signature_header_malformed: editSignature(v1(), (s) => `${s};kid=again`),
    unsupported_version: editSignature(v1(), (s) => s.replace('v=1;', 'v=2;')),
    unsupported_algorithm: editSignature(v1(), (s) => s.replace('alg=hmac-sha256', 'alg=hmac-md5')),
    timestamp_out_of_window: v1({ timestamp: nowSeconds() - 3600 }),
    header_not_signed: editSignature(v1(), (s) => s.replace(/;h=[^;]+;/, ';h=content-type;')),
    signed_header_missing: (() => {
      const c = v1({ headers: [['x-tenant', 'acme']], sign: ['x-tenant'] });
      return { ...c, headers: c.headers.filter(([n]) => n !== 'x-tenant') };
    })(),
    header_value_invalid: (() => {
      const c = v1({ headers: [['x-tenant', 'acme']], sign: ['x-tenant'] });
      return { ...c, headers: c.headers.map(([n, v]): Pair => (n === 'x-tenant' ? [n, 'acm\u00e9'] : [n, v])) };
    })(),
    method_invalid: { ...v1(), method: 'POST,GET', offWire: "Node's parser answers an unknown method itself" },
    target_invalid: { ...v1(), target: `/v1/${'a'.repeat(9000)}` },
    key_unknown: v1({ keyId: 'nobody' }),
    signature_invalid: v1({ key: OTHER_KEY }),
    nonce_replayed: { ...v1(), twice: true },
    content_digest_mismatch: rfc9421BodySwapped(),
    key_scope_denied: v1({ keyId: 'sec-scoped' }),
    body_too_large: v1({ body: 'x'.repeat(MAX_BODY + 1) }),
    body_read_failed: { ...v1(), bodyFails: true, offWire: 'the client aborts: there is no response to read' },
    nonce_store_full: { ...v1(), store: 'full' },
    nonce_store_unavailable: { ...v1(), store: 'down' },
    key_lookup_unavailable: v1({ keyId: 'sec-broken' }),
  };
}

/** The case as verifier.verify() takes it. */
export function inProcess(c: CodeCase): VerifierRequest {
  return {
    method: c.method,
    target: c.target,
    headers: c.headers,
    body: c.bodyFails ? () => Promise.reject(new Error(`ECONNRESET while reading; key=${hexEncode(SECRET)}`)) : c.body,
    remoteAddress: '127.0.0.1',
    ...c.connection,
  };
}

/** MACs, nonces and signature values a case carries: none may come back in an answer or event. */
export function carried(c: CodeCase): string[] {
  const out: string[] = [];
  for (const [name, value] of c.headers) {
    if (name === 'sigil-signature' || name === 'signature' || name === 'signature-input') {
      out.push(value, ...[...value.matchAll(/(?:mac=|nonce="?|:)([A-Za-z0-9_+/=-]{16,})/g)].map((m) => m[1]!));
    }
  }
  return out;
}
