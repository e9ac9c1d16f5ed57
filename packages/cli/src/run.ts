import { createRequire } from 'node:module';
import { isSigilError } from '@sigil/core';
import { parseCommandArgs } from './lib/args.js';
import { CliError, EXIT, EXIT_HELP, usage, type ExitCode } from './lib/cli-error.js';
import type { Command } from './lib/command.js';
import { processIo, type CliIo } from './lib/io.js';
import { describeSigilError } from './lib/sigil-message.js';
import { canonical } from './commands/canonical.js';
import { demo } from './commands/demo.js';
import { keygen } from './commands/keygen.js';
import { sign } from './commands/sign.js';
import { vectors } from './commands/vectors.js';
import { verify } from './commands/verify.js';
import { webhook } from './commands/webhook.js';

const COMMANDS: readonly Command[] = [sign, verify, canonical, keygen, vectors, webhook, demo];

function version(): string {
  // dist/bin.js and src/run.ts both sit one level below package.json.
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: sigil <command> [options]

Sigil v1 HMAC request signing: sign, verify and debug signed HTTP requests.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "sigil <command> --help" for a command's options. Every command accepts
--debug (stack traces on errors). Secrets are read from an environment
variable or a file, never from the command line.

${EXIT_HELP}
`;
}

const COMMON_HELP = `Every command:
  -h, --help     this help
  --debug        print stack traces of errors`;

function commandHelp(command: Command): string {
  return `${command.help}\n\n${COMMON_HELP}\n\n${EXIT_HELP}\n`;
}

/** One line on stderr (a stack with --debug) and the exit code for an error. */
function report(error: unknown, command: string, debug: boolean, io: CliIo): ExitCode {
  let code: ExitCode;
  let line: string;
  if (error instanceof CliError) {
    code = error.exitCode;
    line = !command || error.message.startsWith(`${command}:`) ? error.message : `${command}: ${error.message}`;
  } else if (isSigilError(error)) {
    // Sigil's messages are fixed, secret-free strings.
    code = EXIT.usage;
    line = `${command ? `${command}: ` : ''}${describeSigilError(error)}`;
  } else {
    code = EXIT.io;
    line = `${command ? `${command}: ` : ''}unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  }
  io.stderr.write(`sigil${command ? ` ${line}` : `: ${line}`}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  else if (code === EXIT.io && !(error instanceof CliError)) io.stderr.write('(run again with --debug for a stack trace)\n');
  return code;
}

/**
 * Runs the `sigil` command line: `argv` without the node and script paths.
 * Resolves to the exit code (see EXIT); writes only through `io`.
 *
 * @example
 * import { runCli } from '@sigil/cli';
 *
 * process.exitCode = await runCli(['vectors', 'check', 'test-vectors']);
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || (first === 'help' && rest.length === 0)) {
    (first === undefined ? io.stderr : io.stdout).write(mainHelp());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const name = first === 'help' ? rest[0]! : first;
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) {
      const shown = /^[A-Za-z-]{1,24}$/.test(name) ? ` "${name}"` : '';
      throw usage(`unknown command${shown}; expected one of ${COMMANDS.map((c) => c.name).join(', ')} (see sigil --help)`);
    }
    if (first === 'help') {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const args = parseCommandArgs(command.name, rest, command.options, command.maxPositionals);
    if (args.values.help) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    return report(error, command?.name ?? '', debug, io);
  }
}
