// Reading request files, stdin and curl-style `@file` data.
import { readFileSync } from 'node:fs';
import { ioError } from './cli-error.js';
import type { CliIo } from './io.js';

/** All of stdin, as bytes. */
export async function readStdin(io: CliIo): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The bytes of `path`, or of stdin when `path` is `-` or absent. Exit 3 when unreadable. */
export async function readInput(command: string, io: CliIo, path: string | undefined): Promise<Uint8Array> {
  if (path === undefined || path === '-') return readStdin(io);
  try {
    return readFileSync(path);
  } catch (error) {
    throw ioError(`${command}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * A body argument: `@path` reads the file's bytes unchanged (unlike curl's
 * -d, which strips newlines from files), `@-` reads stdin, anything else is
 * the UTF-8 text itself.
 */
export async function readData(command: string, io: CliIo, value: string): Promise<Uint8Array> {
  if (!value.startsWith('@')) return new TextEncoder().encode(value);
  return readInput(command, io, value.slice(1));
}
