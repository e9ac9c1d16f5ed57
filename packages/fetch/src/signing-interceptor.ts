import { SERVER_TIME_HEADER, SIGNATURE_HEADER, SigilError } from '@sigil/core';
import type { Dispatcher } from 'undici';
import { correctClock, parseServerTime } from './lib/clock.js';
import { emit, refused } from './lib/events.js';
import { crossOriginError } from './lib/origins.js';
import { asyncBody, dispatchHeaders, flatHeaders, pathWithQuery, syncBody, watchDestination, type DestinationWatch, type DispatchBody } from './lib/node.js';
import { signParts, withoutSignature, type HeaderPair } from './lib/sign-parts.js';
import { VerifyingHandler } from './lib/verify-handler.js';
import { checkResponse, sentRequest } from './lib/verify-response.js';
import { redact, resolveInterceptorOptions, type SigningConfig, type SigningInterceptorOptions } from './options.js';

type Dispatch = Dispatcher['dispatch'];
type Handler = Dispatcher.DispatchHandler;
type Options = Dispatcher.DispatchOptions;

/**
 * One logical request across the dispatches undici makes for it. undici's
 * redirect and retry handlers dispatch again with themselves as the
 * handler, so handlers reached through `.handler` links identify the chain.
 */
interface Chain {
  readonly origin: string;
  /** Set once the chain has left its origin under 'follow-unsigned'. */
  unsigned: boolean;
}

const MAX_LINKS = 16;

function handlerLinks(handler: Handler): object[] {
  const links: object[] = [];
  let current: unknown = handler;
  while (typeof current === 'object' && current !== null && links.length < MAX_LINKS && !links.includes(current)) {
    links.push(current);
    current = (current as { handler?: unknown }).handler;
  }
  return links;
}

/** A controller for failures reported before anything was sent. */
function settled(reason: Error): Dispatcher.DispatchController {
  return { aborted: true, paused: false, reason, abort() {}, pause() {}, resume() {} };
}

function fail(handler: Handler, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  handler.onResponseError?.(settled(err), err);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Passes everything through except one 401 that carries Sigil-Server-Time
 * (the verifier's timestamp rejection) the client believes: that response
 * is swallowed, the clock offset for the origin is learned, and the request
 * is signed afresh and sent once more. A server clock not believed (`learn`
 * returns false) leaves the 401 to the caller. undici's RedirectHandler
 * forwards onRequestStart per hop the same way.
 */
class ClockRetryHandler implements Handler {
  readonly #handler: Handler;
  readonly #learn: (serverSeconds: number) => boolean;
  readonly #resend: () => void;
  readonly #misdirected: () => Error;
  #retried = false;
  #swallowing = false;
  /** Where the attempt in flight was signed for, and where undici created it for. */
  watch: DestinationWatch | undefined;

  constructor(handler: Handler, learn: (serverSeconds: number) => boolean, resend: () => void, misdirected: () => Error) {
    this.#handler = handler;
    this.#learn = learn;
    this.#resend = resend;
    this.#misdirected = misdirected;
  }

  #unwatch(): DestinationWatch | undefined {
    const watch = this.watch;
    this.watch = undefined;
    watch?.done();
    return watch;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    const misdirected = this.#unwatch()?.misdirected() ?? false;
    this.#handler.onRequestStart?.(controller, context);
    // Connected, nothing written yet: a request the dispatcher routes to
    // another origin than it was signed for stops here (undici writes no
    // byte of an aborted request).
    if (misdirected) controller.abort(this.#misdirected());
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, socket: never): void {
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void {
    if (statusCode === 401 && !this.#retried) {
      const serverTime = parseServerTime(headerText(headers[SERVER_TIME_HEADER]));
      if (serverTime !== undefined) {
        // Once per dispatch, believed or not.
        this.#retried = true;
        if (this.#learn(serverTime)) {
          this.#swallowing = true;
          return;
        }
      }
    }
    this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#swallowing) this.#handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[]>): void {
    if (!this.#swallowing) return this.#handler.onResponseEnd?.(controller, trailers);
    this.#swallowing = false;
    this.#resend();
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#unwatch();
    this.#swallowing = false;
    this.#handler.onResponseError?.(controller, error);
  }
}

/**
 * An undici interceptor that signs every dispatch to the listed origins:
 * `undici.request`, `Client`, `Pool` and `Agent` alike, with the same
 * signing code as createSigningFetch(). Each dispatch (each redirect hop and
 * each retry, when undici's interceptors are composed outside this one) is
 * signed afresh with a new timestamp and nonce.
 *
 * Compose it first, so redirect and retry wrap it:
 * `agent.compose(signingInterceptor(o), interceptors.retry(), interceptors.redirect())`.
 * Redirect and retry interceptors composed before it (inside it) are
 * switched off for signed requests, since they would resend a used
 * signature.
 * A redirect chain that leaves its origin is never signed: by default it
 * fails with `origin_not_allowed` (toward an unlisted origin) or
 * `redirect_cross_origin`. Requests to unlisted origins pass through
 * unsigned, so the interceptor can sit on a shared Agent; `origins` matches
 * exactly as createSigningFetch() does (`'*'` signs for every origin). Bodies are buffered (up to `maxBodyBytes`) to be signed.
 *
 * A request is signed only when its destination is known and listed. On an
 * Agent (or the global dispatcher) that is `opts.origin`. A Client or Pool
 * sends to its own origin whatever `opts.origin` says, and compose() does not
 * tell the interceptor which dispatcher it sits on: composed onto a Client or
 * Pool it needs `dispatcherOrigin`, and without it refuses (`invalid_option`)
 * every dispatch that has no `opts.origin`, before anything is sent. As a
 * second check, a signed request that undici creates for another origin
 * than it was signed for (a Pool for another host given an API URL) is
 * aborted with `origin_not_allowed` once connected, before it is written.
 *
 * With `verifyResponses`, the response to each signed dispatch is held
 * back (status, headers and body, up to the body limit) and verified
 * against the request as sent before the handler gets any of it: a redirect
 * interceptor composed outside never follows an unverified Location, and a
 * failure reaches the handler as `onResponseError` alone.
 *
 * @example
 * import { Agent, interceptors, request } from 'undici';
 * import { signingInterceptor } from '@sigil/fetch';
 *
 * const dispatcher = new Agent().compose(
 *   signingInterceptor({ keyId: 'client-1', secret: key, origins: ['https://api.example.com'] }),
 *   interceptors.redirect({ maxRedirections: 3 }),
 * );
 * const { statusCode } = await request('https://api.example.com/v1/me', { dispatcher });
 *
 * // A Pool (or Client) sends to its own origin: say which.
 * const pool = new Pool('https://api.example.com').compose(
 *   signingInterceptor({ keyId: 'client-1', secret: key, origins: ['https://api.example.com'], dispatcherOrigin: 'https://api.example.com' }),
 * );
 */
export function signingInterceptor(options: SigningInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  const config: SigningConfig = resolveInterceptorOptions(options);
  const origins = config.origins;
  const stated = config.dispatcherOrigin;
  const chains = new WeakMap<object, Chain>();

  /** The chain this dispatch belongs to, if it started at a signed origin. */
  function findChain(links: readonly object[]): Chain | undefined {
    for (const link of links) {
      const chain = chains.get(link);
      if (chain) {
        for (const other of links) if (!chains.has(other)) chains.set(other, chain);
        return chain;
      }
    }
    return undefined;
  }

  /**
   * Where a dispatch really goes. compose() hands an interceptor nothing but
   * `dispatch`, so the dispatcher underneath is unknown: a Client or Pool
   * sends to its own origin and ignores opts.origin, an Agent (the global
   * dispatcher included) routes by opts.origin. So the user states a Client's
   * or Pool's origin (dispatcherOrigin); without that, opts.origin is taken
   * as the destination and a dispatch without one is refused, never guessed.
   */
  function destination(opts: Options): URL {
    const named = opts.origin === undefined || opts.origin === null ? undefined : new URL(String(opts.origin)).origin;
    if (stated !== undefined) {
      if (named !== undefined && named !== stated) {
        throw new SigilError('origin_not_allowed', {
          detail: 'opts.origin is not options.dispatcherOrigin: a Client or Pool sends every request to its own origin',
        });
      }
      return new URL(stated);
    }
    if (named === undefined) {
      throw new SigilError('invalid_option', {
        detail: 'a dispatch without opts.origin (a Client or Pool) has no known destination: set options.dispatcherOrigin to the origin it was created with',
      });
    }
    return new URL(named);
  }

  const interceptor = (dispatch: Dispatch): Dispatch => {
    const unsigned = (opts: Options, handler: Handler, credentials = false): boolean => {
      const headers = dispatchHeaders(opts.headers);
      const clean = withoutSignature(headers, credentials);
      return dispatch(clean.length === headers.length ? opts : { ...opts, headers: flatHeaders(clean) }, handler);
    };

    return function signingDispatch(opts: Options, handler: Handler): boolean {
      let url: URL | undefined;
      const place = () => ({ keyId: config.keyId, method: opts.method, origin: url?.origin ?? 'null', target: String(opts.path ?? '') });
      const refuse = (error: unknown): true => {
        fail(handler, refused(config.onEvent, error, place()));
        return true;
      };
      try {
        url = destination(opts);
      } catch (error) {
        return refuse(error);
      }
      const at: URL = url;

      const links = handlerLinks(handler);
      const chain = findChain(links);
      if (chain && (chain.unsigned || chain.origin !== url.origin)) {
        if (config.crossOrigin === 'error') return refuse(crossOriginError(origins, url));
        if (!chain.unsigned) emit(config.onEvent, 'redirect', place(), { signed: false });
        chain.unsigned = true;
        return unsigned(opts, handler, true);
      }
      if (!origins.allows(url)) return unsigned(opts, handler);
      if (!chain) {
        const created: Chain = { origin: url.origin, unsigned: false };
        for (const link of links) chains.set(link, created);
      }

      let target: string;
      let headers: HeaderPair[];
      let body: DispatchBody | undefined;
      try {
        target = pathWithQuery(opts.path, opts.query);
        headers = withoutSignature(dispatchHeaders(opts.headers));
        body = syncBody(opts.body, config.maxBodyBytes);
      } catch (error) {
        return refuse(error);
      }

      /** With verifyResponses, the attempt's response reaches `wrapped` only once verified against the request as sent. */
      const verifying = (wrapped: ClockRetryHandler, sent: readonly HeaderPair[], signature: readonly HeaderPair[]): Handler => {
        const policy = config.verifyResponses;
        // Without it, nothing is kept: the signature is not parsed back per dispatch.
        if (!policy) return wrapped;
        const bound = sentRequest(config, at, opts.method, target, [...sent, ...signature]);
        const where = () => ({ ...place(), target });
        return new VerifyingHandler(
          wrapped,
          policy.maxBodyBytes,
          (response) => {
            checkResponse(config, policy, at.origin, bound, response);
            emit(config.onEvent, 'response-verified', where(), { status: response.status });
          },
          (error) => refused(config.onEvent, error, where()) as Error,
        );
      };

      const send = (dispatchBody: DispatchBody, wrapped: ClockRetryHandler): boolean => {
        const sent: HeaderPair[] =
          dispatchBody.contentType && !headers.some(([name]) => name.toLowerCase() === 'content-type')
            ? [...headers, ['content-type', dispatchBody.contentType]]
            : headers;
        const signature = signParts(config, { method: opts.method, url: at, target, headers: sent, body: dispatchBody.bytes });
        emit(config.onEvent, 'signed', { ...place(), target });
        const signed = {
          ...opts,
          path: target,
          query: undefined,
          headers: flatHeaders([...sent, ...signature]),
          body: dispatchBody.bytes,
          // A redirect or retry interceptor composed *inside* this one would
          // resend these signed opts as they are: to another origin, or with
          // a used nonce. Switch them off; the ones outside are unaffected.
          maxRedirections: 0,
          retryOptions: { ...(opts as { retryOptions?: object }).retryOptions, maxRetries: 0 },
        };
        // The signature value is unique to this attempt (fresh nonce): by it,
        // undici's request creation tells where the attempt really goes.
        const value = signature.find(([name]) => name === SIGNATURE_HEADER || name === 'signature')?.[1];
        wrapped.watch = value === undefined ? undefined : watchDestination(value, at.origin);
        try {
          return dispatch(signed as Options, verifying(wrapped, sent, signature));
        } catch (error) {
          wrapped.watch?.done();
          throw error;
        }
      };
      const start = (dispatchBody: DispatchBody): boolean => {
        const wrapped: ClockRetryHandler = new ClockRetryHandler(
          handler,
          (serverSeconds) => correctClock(config, at, serverSeconds, { ...place(), target }),
          () => {
            try {
              send(dispatchBody, wrapped);
            } catch (error) {
              refuse(error);
            }
          },
          () => {
            const error = new SigilError('origin_not_allowed', {
              detail: 'the dispatcher connects elsewhere than opts.origin (a Client or Pool: set options.dispatcherOrigin)',
            });
            return refused(config.onEvent, error, { ...place(), target }) as Error;
          },
        );
        return send(dispatchBody, wrapped);
      };

      if (body !== undefined) {
        try {
          return start(body);
        } catch (error) {
          return refuse(error);
        }
      }
      asyncBody(opts.body, config.maxBodyBytes).then(start).catch(refuse);
      return true;
    };
  };
  return redact(interceptor, 'SigningInterceptor', config);
}
