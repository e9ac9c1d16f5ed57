import { SigilError } from '@sigil/core';
import { emit, type EventSink } from './events.js';
import { isLoopback } from './transport.js';

/** How many origins keep a learned offset; the oldest is forgotten first. */
const MAX_ORIGINS = 1024;
const SERVER_TIME = /^(?:0|[1-9][0-9]{0,11})$/;

/**
 * Why a server's clock was not believed: `skew`, it is further from ours
 * than `maxClockSkewSeconds`; `transport`, it did not come over TLS (nor
 * from a loopback host), so anyone on the path could have written it.
 */
export type ClockRefusal = 'skew' | 'transport';

/**
 * Unix seconds per origin: the local clock plus the offset learned from
 * that origin's `Sigil-Server-Time`. Offsets are per origin because two
 * servers may disagree with each other as much as with us. An offset is
 * bounded by `maxSkewSeconds`: a `Sigil-Server-Time` is unauthenticated,
 * and a client that believed any value would sign requests valid far in
 * the future for whoever sent it.
 */
export class ClockOffsets {
  readonly #clock: () => number;
  readonly #maxSkewSeconds: number;
  readonly #offsets = new Map<string, number>();

  constructor(clock: () => number, maxSkewSeconds: number) {
    this.#clock = clock;
    this.#maxSkewSeconds = maxSkewSeconds;
  }

  /** The local clock in whole seconds, uncorrected. */
  localSeconds(): number {
    const ms = this.#clock();
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new SigilError('invalid_option', { detail: 'options.clock must return milliseconds since the Unix epoch' });
    }
    return Math.floor(ms / 1000);
  }

  /** The timestamp to sign a request to `origin` with. */
  now(origin: string): number {
    return this.localSeconds() + (this.#offsets.get(origin) ?? 0);
  }

  /**
   * Records the clock `url`'s server reported (Unix seconds), or refuses to:
   * only over https: or from a loopback host, and only within
   * `maxSkewSeconds` of the local clock (0: never). Returns the refusal, or
   * undefined when the offset was learned; a refusal leaves the offset as
   * it was.
   */
  learn(url: URL, serverSeconds: number): ClockRefusal | undefined {
    if (url.protocol !== 'https:' && !isLoopback(url)) return 'transport';
    const offset = serverSeconds - this.localSeconds();
    if (this.#maxSkewSeconds === 0 || Math.abs(offset) > this.#maxSkewSeconds) return 'skew';
    const origin = url.origin;
    this.#offsets.delete(origin);
    if (this.#offsets.size >= MAX_ORIGINS) this.#offsets.delete(this.#offsets.keys().next().value!);
    this.#offsets.set(origin, offset);
    return undefined;
  }

  /** The offset `serverSeconds` would mean, in seconds (for events). */
  offsetFor(serverSeconds: number): number {
    return serverSeconds - this.localSeconds();
  }

  /** The learned offset in seconds (0 when none). */
  offset(origin: string): number {
    return this.#offsets.get(origin) ?? 0;
  }
}

/** Parses a `Sigil-Server-Time` value (Unix seconds); undefined unless well-formed. */
export function parseServerTime(value: string | readonly string[] | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return SERVER_TIME.test(text) ? Number(text) : undefined;
}

/**
 * The one answer of both clients to a timestamp rejection carrying the
 * server's clock: learn it and say so (`retry`, true: sign once more), or
 * refuse it and say why (`clock-refused`, false: return the 401 as it is).
 */
export function correctClock(
  config: { readonly clock: ClockOffsets; readonly onEvent: EventSink },
  url: URL,
  serverSeconds: number,
  at: { keyId: string; method: string; origin: string; target: string },
): boolean {
  const offsetSeconds = config.clock.offsetFor(serverSeconds);
  const refusal = config.clock.learn(url, serverSeconds);
  const extra = { code: 'timestamp_out_of_window', status: 401, offsetSeconds } as const;
  emit(config.onEvent, refusal === undefined ? 'retry' : 'clock-refused', at, refusal === undefined ? extra : { ...extra, reason: refusal });
  return refusal === undefined;
}
