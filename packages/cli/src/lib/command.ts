import type { OptionSpec, ParsedArgs } from './args.js';
import type { ExitCode } from './cli-error.js';
import type { CliIo } from './io.js';

/** One `sigil` sub-command. */
export interface Command {
  readonly name: string;
  /** One line for `sigil --help`. */
  readonly summary: string;
  /** The full `sigil <name> --help` text, without the exit-code section. */
  readonly help: string;
  readonly options: OptionSpec;
  /** How many positional arguments it takes at most. */
  readonly maxPositionals: number;
  run(args: ParsedArgs, io: CliIo): Promise<ExitCode>;
}
