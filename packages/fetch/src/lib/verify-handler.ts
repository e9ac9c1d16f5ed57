// The interceptor's side of response verification: an undici handler that
// holds the whole response (status, headers, body up to a limit) until it is
// verified, then replays it to the handler it wraps. Until the verdict the
// wrapped handler sees nothing, so neither a redirect interceptor composed
// outside nor the clock correction inside can act on a forged Location or
// Sigil-Server-Time, and the caller never reads a partial body that later fails.
import type { Dispatcher } from 'undici';
import { BodyCollector } from './body.js';
import type { HeaderPair } from './sign-parts.js';
import type { ReceivedResponse } from './verify-response.js';

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type RawHeaders = Record<string, string | string[]>;

function headerPairs(headers: RawHeaders): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const line of Array.isArray(value) ? value : [value]) out.push([name, line]);
  }
  return out;
}

/**
 * @internal Buffers one response, calls `verify` on it at its end, and only
 * then hands it on; `verify` throws (a SigilError, code only) to refuse it,
 * and the wrapped handler then gets `onResponseError` and nothing else.
 */
export class VerifyingHandler implements Handler {
  readonly #handler: Handler;
  readonly #verify: (response: ReceivedResponse) => void;
  readonly #refuse: (error: unknown) => Error;
  readonly #maxBodyBytes: number;
  #start: { status: number; headers: RawHeaders; message: string | undefined } | undefined;
  #body: BodyCollector | undefined;
  #failed = false;

  constructor(handler: Handler, maxBodyBytes: number, verify: (response: ReceivedResponse) => void, refuse: (error: unknown) => Error) {
    this.#handler = handler;
    this.#maxBodyBytes = maxBodyBytes;
    this.#verify = verify;
    this.#refuse = refuse;
  }

  /** Reports the refusal once; nothing of the response was handed on. */
  #fail(controller: Controller, error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#handler.onResponseError?.(controller, this.#refuse(error));
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: RawHeaders, socket: never): void {
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: RawHeaders, statusMessage?: string): void {
    this.#start = { status: statusCode, headers, message: statusMessage };
    this.#body = new BodyCollector(this.#maxBodyBytes);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#failed) return;
    try {
      this.#body!.add(chunk);
    } catch (error) {
      // Past the limit: stop reading; the handler hears the refusal alone.
      this.#fail(controller, error);
      controller.abort(error as Error);
    }
  }

  onResponseEnd(controller: Controller, trailers: RawHeaders): void {
    if (this.#failed) return;
    const start = this.#start!;
    const bytes = this.#body!.bytes();
    try {
      this.#verify({ status: start.status, headers: headerPairs(start.headers), body: bytes.byteLength === 0 ? null : bytes });
    } catch (error) {
      return this.#fail(controller, error);
    }
    this.#handler.onResponseStart?.(controller, start.status, start.headers, start.message);
    if (bytes.byteLength > 0 && !controller.aborted) this.#handler.onResponseData?.(controller, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (!controller.aborted) this.#handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#handler.onResponseError?.(controller, error);
  }
}
