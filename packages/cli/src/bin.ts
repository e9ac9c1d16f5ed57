// The `sigil` executable. Everything else lives in runCli(), which tests and
// embedders call with their own streams.
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
