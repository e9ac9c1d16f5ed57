// The requests every row signs or verifies. One definition, used by the
// timed workers, the memory child, the end-to-end load and the smoke test,
// so no row measures a different request than the others.
import { createHash } from 'node:crypto';

/** Scenario ids, in the order the table prints them. */
export const SCENARIO_IDS = ['typical', 'tiny-get', 'body-1mib', 'body-16mib'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** One request shape, with its body both as bytes and as text (peers differ in what they take). */
export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  readonly method: 'GET' | 'POST';
  readonly host: string;
  readonly path: string;
  /** The query string without `?`, or ''. */
  readonly query: string;
  /** path and query exactly as sent. */
  readonly target: string;
  /** Field lines in send order; `host` first. Every one of them is signed. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Lowercase names of the signed headers other than host (Sigil always signs host). */
  readonly signed: readonly string[];
  readonly body: Buffer;
  /** The same bytes as text (all bodies are ASCII JSON); '' when built with `sizeOnly`. */
  readonly bodyText: string;
}

/** The key id and secret every row uses. The secret is a fixed, public bench value. */
export const KEY_ID = 'bench-client-1';
export const SECRET: Buffer = createHash('sha256').update('sigil-bench-secret').digest();

/**
 * A JSON document of exactly `size` bytes (ASCII): an array of order lines,
 * padded inside a final string so the byte count is exact.
 */
export function jsonBody(size: number): string {
  const item = (i: number): string => `{"sku":"SKU-${String(i).padStart(6, '0')}","qty":${(i % 9) + 1},"note":"standard"}`;
  const parts: string[] = [];
  let length = '{"items":[],"pad":""}'.length;
  for (let i = 0; ; i++) {
    const next = item(i).length + (parts.length > 0 ? 1 : 0);
    if (length + next > size) break;
    parts.push(item(i));
    length += next;
  }
  return `{"items":[${parts.join(',')}],"pad":"${'x'.repeat(size - length)}"}`;
}

function post(id: ScenarioId, title: string, size: number, override?: Buffer): Scenario {
  const bodyText = override ? '' : jsonBody(size);
  const host = 'api.example.com';
  const path = '/v1/orders';
  const query = 'dry_run=1&page=2&sort=created_at';
  return {
    id,
    title,
    method: 'POST',
    host,
    path,
    query,
    target: `${path}?${query}`,
    headers: [
      ['host', host],
      ['content-type', 'application/json'],
      ['content-length', String(size)],
      ['date', 'Tue, 18 Nov 2025 10:00:00 GMT'],
      ['x-request-id', '0f8e6a52-3c1d-4b7a-9e2f-5d4c3b2a1f00'],
    ],
    signed: ['content-length', 'content-type', 'date', 'x-request-id'],
    body: override ?? Buffer.from(bodyText, 'latin1'),
    bodyText,
  };
}

function tinyGet(): Scenario {
  const host = 'api.example.com';
  return {
    id: 'tiny-get',
    title: 'tiny GET, no body',
    method: 'GET',
    host,
    path: '/v1/me',
    query: '',
    target: '/v1/me',
    headers: [
      ['host', host],
      ['accept', 'application/json'],
    ],
    signed: ['accept'],
    body: Buffer.alloc(0),
    bodyText: '',
  };
}

/**
 * Builds one scenario (bodies are allocated only for the scenario asked for).
 * `sizeOnly` skips building the JSON body: the body is then that many zero
 * bytes, without the transient strings building the JSON costs (the memory
 * measurement needs a low high-water mark before it starts).
 */
export function scenario(id: ScenarioId, sizeOnly = false): Scenario {
  const sized = (size: number): Buffer | undefined => (sizeOnly ? Buffer.alloc(size) : undefined);
  switch (id) {
    case 'typical':
      return post('typical', 'typical: POST, 1 KiB JSON, query, 5 headers', 1024, sized(1024));
    case 'tiny-get':
      return tinyGet();
    case 'body-1mib':
      return post('body-1mib', 'POST, 1 MiB body', 1 << 20, sized(1 << 20));
    case 'body-16mib':
      return post('body-16mib', 'POST, 16 MiB body', 16 << 20, sized(16 << 20));
  }
}

/** Headers as a plain lowercase-keyed object (what most peers take). */
export function headerObject(s: Scenario): Record<string, string> {
  return Object.fromEntries(s.headers.map(([name, value]) => [name, value]));
}

/** The body with one byte changed (same length, still ASCII), or one byte when empty. */
export function tamperBody(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from(' ');
  const copy = Buffer.from(body);
  const i = copy.length >> 1;
  copy[i] = copy[i] === 0x78 ? 0x79 : 0x78;
  return copy;
}
