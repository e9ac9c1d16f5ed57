import { SigilError } from '@sigil/core';

/** Joins chunks into one array (no copy for a single chunk). */
export function concatBytes(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function tooLarge(maxBodyBytes: number): SigilError {
  return new SigilError('body_too_large', { detail: `options.maxBodyBytes is ${maxBodyBytes}` });
}

/** Collects byte chunks, failing as soon as they pass `maxBodyBytes`. */
export class BodyCollector {
  readonly #max: number;
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  constructor(maxBodyBytes: number) {
    this.#max = maxBodyBytes;
  }

  /** Adds a chunk; throws `body_too_large` past the limit. */
  add(chunk: Uint8Array): void {
    this.#size += chunk.byteLength;
    if (this.#size > this.#max) throw tooLarge(this.#max);
    if (chunk.byteLength > 0) this.#chunks.push(chunk);
  }

  bytes(): Uint8Array {
    return concatBytes(this.#chunks, this.#size);
  }
}

/**
 * Reads a Web stream to the end, stopping (and cancelling the stream) as
 * soon as it passes `maxBodyBytes`, so an endless stream cannot exhaust
 * memory before the limit applies.
 */
export async function readStream(stream: ReadableStream<unknown>, maxBodyBytes: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const body = new BodyCollector(maxBodyBytes);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) {
        throw new SigilError('body_unsupported', { detail: 'a ReadableStream body must yield Uint8Array chunks' });
      }
      body.add(value);
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
  return body.bytes();
}
