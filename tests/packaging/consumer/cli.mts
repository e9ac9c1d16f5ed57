// @sigil/cli is ESM only: its programmatic entry, type-checked as ESM.
import { runCli, type ExitCode } from '@sigil/cli';

export const exit: Promise<ExitCode> = runCli(['--version']);
