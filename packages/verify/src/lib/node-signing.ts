// Response signing for Node responses (node http/https/http2 compat, and
// Express on top of them): the handler's writeHead/write/end are held back
// until end(), the body buffered up to `maxBodyBytes`, then the response is
// signed over the exact bytes and sent in one go. `sendUnsigned(res)` before
// the first write hands the response back to Node untouched; a body over the
// limit without it is replaced by a signed 500 `response_too_large`.
import type { HeaderList } from '@sigil/core';
import type { AnyVerificationSuccess, VerificationResult } from '../types.js';
import type { NodeResponse } from '../adapters/node/write-node-failure.js';
import { isUnsigned, oversizeReply, type ResponseSigning } from './sign-responses.js';

type Callback = (error?: Error | null) => void;
type OutgoingHeaders = Record<string, string | number | readonly string[] | undefined>;

// Statuses that carry no body whatever the handler writes (RFC 9110).
const NO_BODY = new Set([204, 304]);

/** Node's getHeaders() as field lines, one per value. */
export function nodeHeaderList(headers: OutgoingHeaders): HeaderList {
  const list: Array<readonly [string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) list.push([name, String(item)]);
    else list.push([name, String(value)]);
  }
  return list;
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array');
}

/** writeHead's headers argument (an object, a flat raw array or pairs), applied with setHeader. */
function applyHeaders(res: NodeResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    if (Array.isArray(headers[0])) for (const [name, value] of headers as [string, string][]) res.setHeader(name, value);
    else for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), String(headers[i + 1]));
  } else if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as string);
  }
}

/**
 * Holds `res` back until end() and signs it for `result` (SPEC.md section
 * 11.5). Call it before the handler runs; `head` is true for a HEAD request
 * (the body is not sent, so the empty body is signed).
 */
export function signNodeResponse(res: NodeResponse, result: VerificationResult<AnyVerificationSuccess>, signing: ResponseSigning, head: boolean): void {
  type Method = (...args: unknown[]) => unknown;
  // The three methods, patched as plain functions: Node's overloads do not matter here.
  const target = res as unknown as Record<'writeHead' | 'write' | 'end', Method | undefined>;
  const original = { writeHead: target.writeHead!, write: target.write!, end: target.end! };
  const chunks: Buffer[] = [];
  let total = 0;
  let oversize = false;
  // Once unsigned (sendUnsigned) or signed, the patches only forward: never
  // deleted, since deleting properties turns the response into a slow object.
  let through = false;
  const passthrough = (name: keyof typeof original, args: unknown[]): unknown => {
    // Anything held back so far goes first.
    if (!through && chunks.length > 0) original.write.call(res, Buffer.concat(chunks.splice(0)));
    through = true;
    return original[name].apply(res, args);
  };
  const refuse = (): void => {
    // The handler's response is dropped whole: no byte of it was sent.
    oversize = true;
    chunks.length = 0;
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const reply = oversizeReply(result, signing);
    original.writeHead.call(res, reply.status, reply.headers);
    original.end.call(res, reply.body);
  };

  target.writeHead = (status: unknown, ...rest: unknown[]) => {
    if (through || isUnsigned(res)) return passthrough('writeHead', [status, ...rest]);
    if (oversize) return res;
    res.statusCode = status as number;
    if (typeof rest[0] === 'string') res.statusMessage = rest.shift() as string;
    applyHeaders(res, rest[0]);
    return res;
  };
  target.write = (chunk: unknown, encoding?: unknown, callback?: unknown) => {
    if (through || isUnsigned(res)) return passthrough('write', [chunk, encoding, callback].filter((a) => a !== undefined));
    const done = (typeof encoding === 'function' ? encoding : callback) as Callback | undefined;
    // After a refusal, writes go nowhere; false stops a pipe until the
    // answer's 'finish' unpipes it.
    if (oversize) return done?.(), false;
    const buffer = toBuffer(chunk, encoding);
    total += buffer.length;
    if (total > signing.maxBodyBytes) refuse();
    else chunks.push(buffer);
    if (done) process.nextTick(done);
    return !oversize;
  };
  target.end = (chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (through || isUnsigned(res)) return passthrough('end', [chunk, encoding, callback].filter((a) => a !== undefined));
    const done = [chunk, encoding, callback].find((a) => typeof a === 'function') as Callback | undefined;
    if (oversize) return done?.(), res;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      const buffer = toBuffer(chunk, encoding);
      total += buffer.length;
      if (total > signing.maxBodyBytes) return refuse(), done?.(), res;
      chunks.push(buffer);
    }
    // A head sent some way around writeHead (flushHeaders() goes through it)
    // cannot be signed: the response is cut off rather than completed unsigned.
    if (res.headersSent) return res.destroy(), done?.(), res;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    const sent = head || NO_BODY.has(res.statusCode) ? null : body;
    const fields = signing.sign(result, res.statusCode, nodeHeaderList(res.getHeaders() as OutgoingHeaders), sent);
    for (const [name, value] of fields ?? []) res.setHeader(name, value);
    through = true;
    return done ? original.end.call(res, body, done) : original.end.call(res, body);
  };
}
