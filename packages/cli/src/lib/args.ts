// A thin layer over node:util parseArgs: strict parsing, and error messages
// that name the option but never repeat a value (it could be a secret typed
// in the wrong place).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usage } from './cli-error.js';

/** The option table of one command. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Parsed values: strings, string lists and booleans by option name. */
export type ArgValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** What a command receives after parsing. */
export interface ParsedArgs {
  readonly values: ArgValues;
  readonly positionals: string[];
}

const SECRET_HINT =
  'a secret is never accepted on the command line (it would land in shell history); use --secret-env NAME or --secret-file PATH';

function optionName(message: string): string {
  const quoted = /'(-[^' =]*)/.exec(message)?.[1];
  return quoted ?? 'an option';
}

/**
 * Parses `argv` against `options` (plus --help and --debug). Throws a usage
 * error naming the command and the option; never echoes an argument value.
 */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec, maxPositionals: number): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : '';
    const name = optionName(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      if (/^--secret$/.test(name)) throw usage(`${command}: ${SECRET_HINT}`);
      throw usage(`${command}: unknown option ${name} (see sigil ${command} --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw usage(`${command}: option ${name} ${/does not take/.test(message) ? 'takes no value' : 'needs a value'}`);
    }
    throw usage(`${command}: cannot parse the arguments (see sigil ${command} --help)`);
  }
  const values = parsed.values as ArgValues;
  if (!values.help && parsed.positionals.length > maxPositionals) {
    throw usage(`${command}: too many arguments: expected at most ${maxPositionals} (see sigil ${command} --help)`);
  }
  return { values, positionals: parsed.positionals };
}

/** A string option, or undefined. */
export function str(values: ArgValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option, as a list (empty when absent). */
export function list(values: ArgValues, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** A comma-separated list option (`--headers a,b`), trimmed, empty entries dropped. */
export function commaList(values: ArgValues, name: string): string[] {
  return list(values, name).flatMap((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
}

/** A non-negative integer option; throws a usage error naming it when malformed. */
export function int(command: string, values: ArgValues, name: string): number | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (!/^(?:0|[1-9][0-9]{0,14})$/.test(value)) throw usage(`${command}: --${name} must be a non-negative integer`);
  return Number(value);
}
