import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isSigilError } from '@sigil/core';
import { parseVectorFile, runVector } from '@sigil/core/vectors';
import type { ParsedArgs } from '../lib/args.js';
import { EXIT, ioError, usage, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import type { CliIo } from '../lib/io.js';
import { formatTable } from '../lib/table.js';

const HELP = `Usage: sigil vectors check [options] DIR | FILE

Runs Sigil v1 test vectors against this implementation (@sigil/core) and
prints a pass/fail table: every v1-*.json file of DIR (other files, such as
schemas and other schemes' vectors, are listed as skipped), or one FILE.

Positive vectors are signed and compared byte for byte (canonical string,
MAC, header), then verified; negative vectors must fail with their expected
code, checked in the order of SPEC.md section 4 (steps 2-11).

Options:
  -q, --quiet    print only the failing rows and the summary`;

type Row = [file: string, id: string, kind: string, expected: string, got: string, result: string];

function vectorFiles(path: string): { files: string[]; skipped: string[] } {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw ioError(`vectors: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (stat.isFile()) return { files: [path], skipped: [] };
  const names = readdirSync(path).filter((name) => name.endsWith('.json')).sort();
  // v1-response-*.json are response vectors (SPEC.md section 11), another schema.
  const isRequestFile = (name: string) => name.startsWith('v1-') && !name.startsWith('v1-response-');
  return {
    files: names.filter(isRequestFile).map((name) => join(path, name)),
    skipped: names.filter((name) => !isRequestFile(name)),
  };
}

function checkFile(path: string): Row[] {
  const file = basename(path);
  let vectors;
  try {
    vectors = parseVectorFile(JSON.parse(readFileSync(path, 'utf8'))).vectors;
  } catch (error) {
    const why = isSigilError(error) ? error.message : error instanceof SyntaxError ? 'not JSON' : 'unreadable';
    return [[file, '(file)', '-', 'a valid vector file', why, 'FAIL']];
  }
  return vectors.map((vector): Row => {
    const outcome = runVector(vector);
    return [file, vector.id, vector.kind, outcome.expected, outcome.got, outcome.pass ? 'pass' : 'FAIL'];
  });
}

async function run({ values, positionals }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const [action, path] = positionals;
  if (action !== 'check') throw usage('vectors: expected "sigil vectors check DIR" (see sigil vectors --help)');
  if (path === undefined) throw usage('vectors: missing DIR (e.g. sigil vectors check test-vectors)');
  const { files, skipped } = vectorFiles(path);
  if (files.length === 0) throw ioError(`vectors: no v1-*.json vector files in ${path}`);
  const rows = files.flatMap(checkFile);
  const failed = rows.filter((row) => row[5] === 'FAIL');
  const shown = values.quiet ? failed : rows;
  if (shown.length > 0) io.stdout.write(formatTable(['file', 'id', 'kind', 'expected', 'got', 'result'], shown));
  const lines = [`${rows.length} vectors in ${files.length} file(s): ${rows.length - failed.length} passed, ${failed.length} failed`];
  if (skipped.length > 0) lines.push(`skipped (not v1 vector files): ${skipped.join(', ')}`);
  io.stdout.write(`${shown.length > 0 ? '\n' : ''}${lines.join('\n')}\n`);
  return failed.length === 0 ? EXIT.ok : EXIT.failed;
}

/** `sigil vectors check`: run a directory of vectors. */
export const vectors: Command = {
  name: 'vectors',
  summary: 'vectors check DIR: run test vectors against this implementation',
  help: HELP,
  options: { quiet: { type: 'boolean', short: 'q' } },
  maxPositionals: 2,
  run,
};
