// The one runtime-specific file of @sigil/fetch: it reads undici's dispatch
// options (Node streams, Buffers, undici's header shapes, the `query`
// option). It has no static `node:` import, so the package still bundles for
// browsers and edge runtimes; node:querystring is reached at call time.
import { SigilError } from '@sigil/core';
import { BodyCollector, readStream, tooLarge } from './body.js';
import type { HeaderPair } from './sign-parts.js';

const latin1 = new TextDecoder('latin1');
const utf8 = new TextEncoder();

function text(value: unknown): string {
  return value instanceof Uint8Array ? latin1.decode(value) : String(value);
}

/**
 * undici accepts headers as an object (values may be arrays), a flat
 * `[name, value, ...]` array, or an iterable of pairs. Returns the field
 * lines in the order undici writes them.
 */
export function dispatchHeaders(headers: unknown): HeaderPair[] {
  const out: HeaderPair[] = [];
  const push = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const v of value) out.push([text(name), text(v)]);
    else out.push([text(name), text(value)]);
  };
  if (headers === undefined || headers === null) return out;
  if (Array.isArray(headers) && (headers.length === 0 || !Array.isArray(headers[0]))) {
    for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const pair of headers as Iterable<[unknown, unknown]>) push(pair[0], pair[1]);
  } else if (typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) push(name, value);
  }
  return out;
}

/** The flat form undici takes back. */
export function flatHeaders(pairs: readonly HeaderPair[]): string[] {
  const out: string[] = [];
  for (const [name, value] of pairs) out.push(name, value);
  return out;
}

/** A body reduced to the exact bytes undici will send, and the content-type undici would add. */
export interface DispatchBody {
  readonly bytes: Uint8Array | null;
  readonly contentType?: string;
}

/** Bodies available without waiting (the common case keeps dispatch synchronous). */
export function syncBody(body: unknown, maxBodyBytes: number): DispatchBody | undefined {
  let bytes: Uint8Array | null | undefined;
  if (body === undefined || body === null) bytes = null;
  else if (typeof body === 'string') bytes = utf8.encode(body);
  else if (body instanceof Uint8Array) bytes = body;
  else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  else return undefined;
  if (bytes && bytes.byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
  // undici sends an empty body as no body at all.
  return { bytes: bytes && bytes.byteLength > 0 ? bytes : null };
}

function isFormDataLike(body: object): body is FormData {
  return (body as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'FormData' && typeof (body as FormData).append === 'function';
}

function isBlobLike(body: object): body is Blob {
  return typeof (body as Blob).arrayBuffer === 'function' && typeof (body as Blob).size === 'number' && typeof (body as Blob).type === 'string';
}

/** Serialises FormData once; the bytes and boundary returned are the ones sent. */
async function formDataBody(form: FormData, maxBodyBytes: number): Promise<DispatchBody> {
  let native = form;
  if (!(form instanceof FormData)) {
    // undici's own FormData class: copy it into the platform's so Response can encode it.
    native = new FormData();
    for (const [name, value] of form as unknown as Iterable<[string, string | File]>) native.append(name, value);
  }
  const encoded = new Response(native);
  const bytes = await readStream(encoded.body!, maxBodyBytes);
  return { bytes, contentType: encoded.headers.get('content-type')! };
}

/**
 * Buffers any other body undici accepts (Readable, async or sync iterable,
 * Web ReadableStream, Blob, FormData), stopping past `maxBodyBytes`.
 */
export async function asyncBody(body: unknown, maxBodyBytes: number): Promise<DispatchBody> {
  if (typeof body !== 'object' || body === null) {
    throw new SigilError('body_unsupported', { detail: 'undici bodies are strings, bytes, streams, iterables, Blobs or FormData' });
  }
  if (isFormDataLike(body)) return formDataBody(body, maxBodyBytes);
  if (isBlobLike(body)) {
    if (body.size > maxBodyBytes) throw tooLarge(maxBodyBytes);
    return { bytes: new Uint8Array(await body.arrayBuffer()), ...(body.type ? { contentType: body.type } : {}) };
  }
  if (typeof (body as ReadableStream).getReader === 'function') {
    return { bytes: await readStream(body as ReadableStream, maxBodyBytes) };
  }
  const iterable = body as AsyncIterable<unknown> & Iterable<unknown>;
  if (typeof iterable[Symbol.asyncIterator] === 'function' || typeof iterable[Symbol.iterator] === 'function') {
    const collector = new BodyCollector(maxBodyBytes);
    for await (const chunk of iterable) {
      if (typeof chunk === 'string') collector.add(utf8.encode(chunk));
      else if (chunk instanceof Uint8Array) collector.add(chunk);
      else throw new SigilError('body_unsupported', { detail: 'a stream or iterable body must yield strings or bytes' });
    }
    return { bytes: collector.bytes() };
  }
  throw new SigilError('body_unsupported', { detail: 'undici bodies are strings, bytes, streams, iterables, Blobs or FormData' });
}

interface QueryString {
  stringify(query: unknown): string;
}

function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

/** The path undici sends for `{ path, query }`: node:querystring, as undici itself does. */
export function pathWithQuery(path: string, query: unknown): string {
  if (query === undefined || query === null) return path;
  if (path.includes('?') || path.includes('#')) {
    throw new TypeError('Query params cannot be passed when url already contains "?" or "#".');
  }
  const qs = builtin<QueryString>('node:querystring');
  if (!qs) throw new SigilError('invalid_option', { detail: 'the query option needs node:querystring (Node >= 20.16)' });
  const search = qs.stringify(query);
  return search ? `${path}?${search}` : path;
}

interface DiagnosticsChannel {
  channel(name: string): { subscribe(listener: (message: unknown) => void): void };
}

/** A signed attempt on its way: the origin it was signed for, and where undici created it for. */
interface Watched {
  readonly origin: string;
  actual: string | undefined;
}

const watched = new Map<string, Watched>();
let subscribed = false;

/**
 * undici's documented `undici:request:create` message: the request as the
 * dispatcher at the bottom of the chain created it, with the origin it will
 * connect to (a Client's or Pool's own, whatever opts.origin said) and its
 * header lines. Matched to a signed attempt by its signature value, which
 * is unique to the attempt (it covers a fresh nonce).
 */
function onRequestCreate(message: unknown): void {
  const request = (message as { request?: { origin?: unknown; headers?: unknown } } | null)?.request;
  const headers = request?.headers;
  if (!Array.isArray(headers)) return;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = String(headers[i]).toLowerCase();
    if (name !== 'sigil-signature' && name !== 'signature') continue;
    const entry = watched.get(String(headers[i + 1]));
    if (!entry) continue;
    try {
      entry.actual = new URL(String(request!.origin)).origin;
    } catch {
      entry.actual = 'null';
    }
  }
}

/** @internal What the interceptor learns about one signed attempt. */
export interface DestinationWatch {
  /** True when undici created the request for another origin than it was signed for. */
  misdirected(): boolean;
  /** Stops watching (the request started, failed or was never sent). */
  done(): void;
}

/**
 * Watches a signed attempt until it connects: a check under the
 * interceptor's destination rule, for a dispatcher that routes somewhere
 * else than the request says (a Client or Pool given an opts.origin of
 * another server, a non-tunnelling proxy). Without node:diagnostics_channel,
 * or under a dispatcher that creates no undici Request (MockAgent), nothing
 * is learned and nothing is stopped.
 */
export function watchDestination(signature: string, origin: string): DestinationWatch {
  if (!subscribed) {
    subscribed = true;
    builtin<DiagnosticsChannel>('node:diagnostics_channel')?.channel('undici:request:create').subscribe(onRequestCreate);
  }
  const entry: Watched = { origin, actual: undefined };
  watched.set(signature, entry);
  return {
    misdirected: () => entry.actual !== undefined && entry.actual !== entry.origin,
    done: () => {
      if (watched.get(signature) === entry) watched.delete(signature);
    },
  };
}
