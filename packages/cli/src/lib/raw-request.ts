// A strict reader for one raw HTTP/1.1 request (a file captured with a proxy
// or written by hand): request line, header field lines in order with their
// duplicates, then the body by Content-Length, chunked coding, or to EOF.
// Bytes are kept as they are: header bytes map one to one onto characters
// (latin1), so a non-ASCII byte stays visible to core's checks.
import type { HeaderList } from '@sigil/core';
import { ioError } from './cli-error.js';

/** A request as read from the wire. */
export interface RawRequest {
  readonly method: string;
  /** The target exactly as on the request line. */
  readonly target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  readonly headers: HeaderList;
  readonly body: Uint8Array;
  /** How the body length was found, for the report. */
  readonly framing: 'content-length' | 'chunked' | 'eof';
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const REQUEST_LINE = /^([^ ]+) ([^ ]+) (HTTP\/1\.[01])$/;
const LF = 0x0a;

function bad(detail: string): never {
  throw ioError(`the input is not an HTTP/1.x request: ${detail}`);
}

/** Reads lines until the empty line; returns them and the offset of the body. */
function headerLines(bytes: Uint8Array): { lines: string[]; bodyStart: number } {
  const lines: string[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const end = bytes.indexOf(LF, pos);
    if (end < 0) bad('the header section does not end with an empty line');
    let line = Buffer.from(bytes.subarray(pos, end)).toString('latin1');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    pos = end + 1;
    // RFC 9112 section 2.2: empty lines before the request line are ignored.
    if (line === '' && lines.length === 0) continue;
    if (line === '') return { lines, bodyStart: pos };
    lines.push(line);
  }
  return bad(lines.length === 0 ? 'it is empty' : 'the header section does not end with an empty line');
}

function parseField(line: string, index: number): [string, string] {
  if (line.startsWith(' ') || line.startsWith('\t')) bad(`header line ${index} is an obsolete line folding`);
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon);
  if (!TOKEN.test(name)) bad(`header line ${index} is not "name: value"`);
  return [name, line.slice(colon + 1)];
}

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const end = bytes.indexOf(LF, pos);
    if (end < 0) bad('a chunk size line is missing');
    const sizeText = Buffer.from(bytes.subarray(pos, end)).toString('latin1').replace(/\r$/, '').split(';')[0]!.trim();
    if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) bad('a chunk size is not hexadecimal');
    const size = parseInt(sizeText, 16);
    pos = end + 1;
    if (size === 0) return Buffer.concat(parts);
    if (pos + size > bytes.length) bad('a chunk is shorter than its size');
    parts.push(bytes.subarray(pos, pos + size));
    pos += size;
    if (bytes[pos] === 0x0d) pos++;
    if (bytes[pos] !== LF) bad('a chunk does not end with a line break');
    pos++;
  }
}

function contentLength(headers: HeaderList): number | undefined {
  const values = headers.filter(([name]) => name.toLowerCase() === 'content-length').flatMap(([, v]) => v.split(',').map((s) => s.trim()));
  if (values.length === 0) return undefined;
  if (!values.every((v) => /^[0-9]{1,15}$/.test(v) && v === values[0])) bad('Content-Length is malformed or repeated with different values');
  return Number(values[0]);
}

/**
 * Parses one raw HTTP/1.x request. Line ends may be CRLF or LF (files edited
 * by hand). Throws an I/O CliError (exit 3) that names the problem, never a
 * received value.
 */
export function parseRawRequest(bytes: Uint8Array): RawRequest {
  const { lines, bodyStart } = headerLines(bytes);
  const match = REQUEST_LINE.exec(lines[0]!);
  if (!match) bad('the first line is not "METHOD target HTTP/1.1"');
  const headers = lines.slice(1).map((line, i) => parseField(line, i + 1));
  const rest = bytes.subarray(bodyStart);
  const te = headers.filter(([name]) => name.toLowerCase() === 'transfer-encoding').map(([, v]) => v.trim().toLowerCase());
  const length = contentLength(headers);
  let body: Uint8Array;
  let framing: RawRequest['framing'];
  if (te.length > 0) {
    if (te.join(',') !== 'chunked') bad('only Transfer-Encoding: chunked is supported');
    if (length !== undefined) bad('both Transfer-Encoding and Content-Length are present');
    body = dechunk(rest);
    framing = 'chunked';
  } else if (length !== undefined) {
    if (rest.length < length) bad(`the body has ${rest.length} bytes, fewer than its Content-Length ${length}`);
    body = rest.subarray(0, length);
    framing = 'content-length';
  } else {
    body = rest;
    framing = 'eof';
  }
  return { method: match[1]!, target: match[2]!, version: match[3]!, headers, body, framing };
}

/**
 * Serialises a request as HTTP/1.1 bytes (CRLF, Content-Length when there
 * is a body). The inverse of parseRawRequest, for tests and `sign --raw`.
 */
export function formatRawRequest(request: { method: string; target: string; headers: HeaderList; body?: Uint8Array | null }): Uint8Array {
  const body = request.body ?? new Uint8Array(0);
  const hasLength = request.headers.some(([name]) => name.toLowerCase() === 'content-length');
  const lines = [`${request.method} ${request.target} HTTP/1.1`, ...request.headers.map(([n, v]) => `${n}: ${v}`)];
  if (body.length > 0 && !hasLength) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}
