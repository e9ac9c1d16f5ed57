// Exit codes and the one error type a command throws to stop with a message.

/**
 * The exit codes of every `sigil` command (also in `sigil --help` and the
 * package README).
 *
 * @example
 * if ((await runCli(['verify', 'req.http'])) === EXIT.failed) console.log('rejected');
 */
export const EXIT = {
  /** Success: signed, accepted, every vector or demo row as expected. */
  ok: 0,
  /** A verification failed, a vector or demo row did not match, or a sent request got a 4xx/5xx answer. */
  failed: 1,
  /** Usage: unknown command or option, a missing or invalid secret, a request Sigil refuses to sign, send or canonicalise. */
  usage: 2,
  /** I/O or network: a file that cannot be read, a request that cannot be parsed, a connection that failed. */
  io: 3,
} as const;

/**
 * One of the exit codes in EXIT.
 *
 * @example
 * const code: ExitCode = await runCli(['demo']);
 */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit-code section every help text ends with. */
export const EXIT_HELP = `Exit codes:
  0  success
  1  verification failed, a vector or demo row did not match, or a 4xx/5xx answer
  2  usage error: bad option, missing or invalid secret, a request Sigil refuses to sign or send
  3  I/O or network error: unreadable file, unparseable request, connection failure`;

/**
 * Stops a command: `message` goes to stderr as one line, `exitCode` to the
 * shell. Messages never hold a secret or a received header value.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage error (exit 2). */
export function usage(message: string): CliError {
  return new CliError(EXIT.usage, message);
}

/** An I/O or network error (exit 3). */
export function ioError(message: string, cause?: unknown): CliError {
  return new CliError(EXIT.io, message, cause === undefined ? undefined : { cause });
}
