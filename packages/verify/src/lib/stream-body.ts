// A Web ReadableStream read whole, with the cap applied while reading. Used by
// the Fetch and Hono adapters; no Node APIs.
import { SigilError } from '@sigil/core';

const EMPTY = new Uint8Array(0);

/** Reads the stream, cancelling it as soon as it passes `maxBytes`. */
export async function readStreamCapped(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!stream) return EMPTY;
  if (stream.locked) throw new SigilError('body_read_failed', { detail: 'the request body was already read' });
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new SigilError('body_too_large');
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof SigilError) throw error;
    throw new SigilError('body_read_failed', { cause: error });
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
