// One HTTP attempt: POST to a checked destination, read the status and at
// most maxResponseBytes of the body, then drop the connection.
import { request } from 'undici';
import type { WebhookTlsOptions } from '../options.js';
import { pinnedAgent } from './connect.js';
import type { Destination } from './destination.js';

/** Why an attempt got no HTTP response. */
export type TransportError = 'timeout' | 'network' | 'tls' | 'dns';

/** What one attempt produced. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly statusCode: number; readonly retryAfter?: string; readonly location?: string; readonly bodyBytes: number }
  | { readonly kind: 'error'; readonly error: TransportError }
  | { readonly kind: 'aborted' };

/** Inputs of one attempt. */
export interface AttemptInput {
  readonly destination: Destination;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly tls: WebhookTlsOptions;
  /** The caller's signal. */
  readonly signal: AbortSignal | undefined;
}

const TLS_CODE = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ALTNAME/;

function classify(error: unknown, timedOut: boolean): TransportError {
  if (timedOut) return 'timeout';
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CODE.test(code)) return 'tls';
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  }
  return 'network';
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Sends once. Never throws: every failure is an outcome. */
export async function attempt(input: AttemptInput): Promise<AttemptOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, input.timeoutMs);
  const onAbort = () => controller.abort();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) controller.abort();
  const agent = pinnedAgent(input.destination, input.tls, input.timeoutMs);
  try {
    const response = await request(input.destination.url, {
      dispatcher: agent,
      method: 'POST',
      headers: input.headers,
      body: input.body,
      signal: controller.signal,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.timeoutMs,
    });
    // Read a little of the body (some receivers only answer once it is
    // drained), then drop the rest with the connection.
    let bodyBytes = 0;
    try {
      for await (const chunk of response.body) {
        bodyBytes += (chunk as Buffer).length;
        if (bodyBytes >= input.maxResponseBytes) break;
      }
    } catch {
      // A body that fails after the status line does not change the status.
    } finally {
      response.body.destroy();
    }
    const retryAfter = header(response.headers['retry-after']);
    const location = header(response.headers.location);
    return {
      kind: 'response',
      statusCode: response.statusCode,
      bodyBytes: Math.min(bodyBytes, input.maxResponseBytes),
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(location === undefined ? {} : { location }),
    };
  } catch (error) {
    if (input.signal?.aborted) return { kind: 'aborted' };
    return { kind: 'error', error: classify(error, timedOut) };
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
    await agent.destroy().catch(() => undefined);
  }
}
