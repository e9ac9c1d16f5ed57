// Where a command reads and writes. The binary passes the process's own
// streams; tests and embedders pass their own.

/**
 * A sink a command writes text or bytes to (`process.stdout`, a test buffer).
 *
 * @example
 * const chunks: Array<string | Uint8Array> = [];
 * const writer: CliWriter = { write: (chunk) => chunks.push(chunk) };
 */
export interface CliWriter {
  write(chunk: string | Uint8Array): unknown;
}

/**
 * The streams and environment a command runs against.
 *
 * @example
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
 */
export interface CliIo {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  /** Read only by commands given `-` (or no file) as their input. */
  readonly stdin: AsyncIterable<Uint8Array | string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal (colours, hints). Default false. */
  readonly isTTY?: boolean;
}

/** The io of the running process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}
