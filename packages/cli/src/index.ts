export { runCli } from './run.js';
export { EXIT } from './lib/cli-error.js';
export type { ExitCode } from './lib/cli-error.js';
export type { CliIo, CliWriter } from './lib/io.js';
