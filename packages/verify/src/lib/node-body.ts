// Node's IncomingMessage (HTTP/1) and Http2ServerRequest (HTTP/2): the
// request shape the verifier reads, and the body read with the cap applied
// while reading. Shared by the node, express and fastify adapters.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { SigilError, type HeaderList } from '@sigil/core';
import type { VerifierRequest } from '../types.js';

/** True once something has started reading the request stream. */
export function bodyTouched(req: NodeRequest): boolean {
  return req.readableDidRead || req.readableEnded;
}

/**
 * Reads the whole body, stopping (and pausing the stream) as soon as it
 * passes `maxBytes`. The caller then answers with `Connection: close`.
 */
export function readNodeBody(req: NodeRequest, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (bodyTouched(req)) {
      reject(new SigilError('body_read_failed', { detail: 'the request body was already read' }));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const fail = (error: SigilError): void => {
      cleanup();
      req.pause();
      reject(error);
    };
    function onData(chunk: Buffer | string): void {
      if (typeof chunk === 'string') return fail(new SigilError('body_read_failed', { detail: 'the stream has an encoding set' }));
      total += chunk.length;
      if (total > maxBytes) return fail(new SigilError('body_too_large'));
      chunks.push(chunk);
    }
    function onEnd(): void {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    }
    function onError(cause: unknown): void {
      fail(new SigilError('body_read_failed', { cause }));
    }
    function onClose(): void {
      if (!req.complete) fail(new SigilError('body_read_failed', { detail: 'the client aborted' }));
    }
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** An HTTP/1 or HTTP/2 (compatibility API) request: the fields the adapters read exist on both. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;

/** True for an HTTP/2 request, where connection-specific headers such as Connection are forbidden. */
export function isHttp2(req: Pick<NodeRequest, 'httpVersionMajor'>): boolean {
  return req.httpVersionMajor >= 2;
}

/**
 * Node's rawHeaders as ordered pairs: duplicates stay visible (unlike
 * `req.headers`). HTTP/2 pseudo-headers are left out, and `:authority`
 * becomes `host` (SPEC.md section 2.3): a Host line equal to it is dropped,
 * one that differs is kept after it, so the joined value matches no MAC.
 */
function headerPairs(raw: readonly string[]): HeaderList {
  const pairs: Array<readonly [string, string]> = [];
  let authority: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (name === ':authority') authority = raw[i + 1]!;
      continue;
    }
    pairs.push([name, raw[i + 1]!]);
  }
  if (authority === undefined) return pairs;
  const rest = pairs.filter(([name, value]) => !(name.length === 4 && name.toLowerCase() === 'host' && value.trim() === authority));
  return [['host', authority], ...rest];
}

/**
 * The VerifierRequest of an IncomingMessage; the body is read only if the
 * verifier asks. `target` overrides `req.url` where a framework rewrote it
 * (Express strips its mount path: it passes `req.originalUrl`).
 */
export function nodeVerifierRequest(req: NodeRequest, target?: string): VerifierRequest {
  const socket = req.socket as Partial<TLSSocket> | null;
  return {
    method: req.method ?? '',
    target: target ?? req.url ?? '',
    headers: headerPairs(req.rawHeaders),
    body: (maxBytes) => readNodeBody(req, maxBytes),
    secure: socket?.encrypted === true,
    ...(socket?.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}),
  };
}
