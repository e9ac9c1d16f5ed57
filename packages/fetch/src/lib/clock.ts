import { SigilError } from '@sigil/core';

/** How many origins keep a learned offset; the oldest is forgotten first. */
const MAX_ORIGINS = 1024;
const SERVER_TIME = /^(?:0|[1-9][0-9]{0,11})$/;

/**
 * Unix seconds per origin: the local clock plus the offset learned from
 * that origin's `Sigil-Server-Time`. Offsets are per origin because two
 * servers may disagree with each other as much as with us.
 */
export class ClockOffsets {
  readonly #clock: () => number;
  readonly #offsets = new Map<string, number>();

  constructor(clock: () => number) {
    this.#clock = clock;
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

  /** Records the server's clock for `origin` (Unix seconds it reported). */
  learn(origin: string, serverSeconds: number): void {
    this.#offsets.delete(origin);
    if (this.#offsets.size >= MAX_ORIGINS) this.#offsets.delete(this.#offsets.keys().next().value!);
    this.#offsets.set(origin, serverSeconds - this.localSeconds());
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
