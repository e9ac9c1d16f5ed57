// Pairs of requests that a naive `method|path|headers|body` format cannot
// tell apart (SPEC.md section 2.5). For each pair the positive vector signs
// request A; the negative vector replays A's Sigil-Signature header onto
// request B, which v1 must reject.
import type { NegativeVector, PositiveVector, VectorRequest } from '../../packages/core/src/vectors.js';
import { negative, positive, withSignature } from './build.js';
import { binaryBody, bodyBytes, req } from './fixtures.js';

/**
 * The naive format the pairs defeat: method, path without query, the
 * header lines `name:value` sorted, and the body decoded as UTF-8 text
 * (lossily), joined by "|". Used only to prove each pair collides there.
 */
function naive(request: VectorRequest): string {
  const path = request.target.split('?')[0]!;
  const headers = request.headers.map(([n, v]) => `${n.toLowerCase()}:${v}`).sort();
  const body = new TextDecoder().decode(bodyBytes(request.body) ?? new Uint8Array());
  return [request.method, path, ...headers, body].join('|');
}

interface Pair {
  id: string;
  what: string;
  a: VectorRequest;
  b: VectorRequest;
  headers?: string[];
}

const PAIRS: Pair[] = [
  {
    id: 'header-body-shift',
    what: 'a "|" moved from a signed header value into the body',
    a: req('POST', '/p', [['x-a', '1|2']], { utf8: '3' }),
    b: req('POST', '/p', [['x-a', '1']], { utf8: '2|3' }),
    headers: ['x-a'],
  },
  {
    id: 'body-into-header',
    what: 'body text that looks like a header line becomes a real header',
    a: req('POST', '/p', [], { utf8: 'x-z:1|data' }),
    b: req('POST', '/p', [['x-z', '1']], { utf8: 'data' }),
  },
  {
    id: 'path-into-header',
    what: 'a path ending in "|accept:1" versus a real accept header (the SPEC 2.5 example)',
    a: req('GET', '/a|accept:1'),
    b: req('GET', '/a', [['accept', '1']]),
  },
  {
    id: 'query-dropped',
    what: 'a query the naive format leaves out: amount=10 versus amount=10000',
    a: req('POST', '/transfer?amount=10'),
    b: req('POST', '/transfer?amount=10000'),
  },
  {
    id: 'body-decoded-as-text',
    what: 'two invalid UTF-8 bodies that both decode to U+FFFD',
    a: req('POST', '/upload', [], binaryBody(Uint8Array.from([0xff]))),
    b: req('POST', '/upload', [], binaryBody(Uint8Array.from([0xfe]))),
  },
];

/** The collision pairs: positive A vectors and negative replay-onto-B vectors. */
export function collisionVectors(): { positive: PositiveVector[]; negative: NegativeVector[] } {
  const out = { positive: [] as PositiveVector[], negative: [] as NegativeVector[] };
  for (const pair of PAIRS) {
    if (naive(pair.a) !== naive(pair.b)) throw new Error(`generator bug: pair ${pair.id} does not collide naively`);
    const id = `naive-collision-${pair.id}`;
    const signedA = positive(`${id}-a`, `Naive-format collision, request A: ${pair.what} (SPEC 2.5)`, pair.a, { headers: pair.headers ?? [] });
    out.positive.push(signedA);
    out.negative.push(
      negative(
        `${id}-b`,
        `Naive-format collision, request B with A's signature: ${pair.what} (SPEC 2.5)`,
        withSignature(pair.b, signedA.expected.header),
        'signature_invalid',
      ),
    );
  }
  return out;
}
