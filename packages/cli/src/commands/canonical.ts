import { canonicalize, parseSignatureHeader, SIGNATURE_HEADER, signedHeaderList, type CanonicalParams } from '@sigil/core';
import { commaList, int, str, type ArgValues, type ParsedArgs } from '../lib/args.js';
import { EXIT, usage, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import { readInput } from '../lib/input.js';
import type { CliIo } from '../lib/io.js';
import { parseRawRequest, type RawRequest } from '../lib/raw-request.js';

const HELP = `Usage: sigil canonical [options] [FILE | -]

Prints the Sigil v1 canonical string of a raw HTTP/1.1 request (from FILE,
or stdin), exactly as @sigil/core builds it, for diffing against another
implementation. No secret is needed: the canonical string is what gets MACed.

The parameters (key id, timestamp, nonce, algorithm, signed headers) come
from, in this order:
  --from-header VALUE    a Sigil-Signature value (its mac is ignored)
  --kid ID --ts UNIX --nonce NONCE [--alg ALG] [--headers a,b]
                         given one by one; host is always signed, names are
                         lowercased and sorted; --alg defaults to hmac-sha256
  (neither)              the request's own Sigil-Signature header

Options:
  -n, --no-newline       no newline after the last line (byte-exact output)`;

const PARAM_FLAGS = ['kid', 'ts', 'nonce', 'alg', 'headers'] as const;

function fromFlags(values: ArgValues): CanonicalParams {
  const kid = str(values, 'kid');
  const ts = int('canonical', values, 'ts');
  const nonce = str(values, 'nonce');
  if (kid === undefined || ts === undefined || nonce === undefined) {
    throw usage('canonical: --kid, --ts and --nonce are all needed (or use --from-header)');
  }
  const alg = str(values, 'alg') ?? 'hmac-sha256';
  if (alg !== 'hmac-sha256' && alg !== 'hmac-sha512') throw usage('canonical: --alg must be hmac-sha256 or hmac-sha512');
  let headers: string[];
  try {
    headers = signedHeaderList(commaList(values, 'headers'));
  } catch {
    throw usage('canonical: --headers must list HTTP field names');
  }
  return { algorithm: alg, keyId: kid, timestamp: ts, nonce, headers };
}

function paramsFor(values: ArgValues, raw: RawRequest): CanonicalParams {
  const header = str(values, 'from-header');
  const flags = PARAM_FLAGS.some((name) => values[name] !== undefined);
  if (header !== undefined && flags) throw usage('canonical: give --from-header or --kid/--ts/--nonce/--alg/--headers, not both');
  if (flags) return fromFlags(values);
  if (header !== undefined) return parseSignatureHeader(header);
  const lines = raw.headers.filter(([name]) => name.toLowerCase() === SIGNATURE_HEADER);
  if (lines.length !== 1) {
    throw usage(`canonical: the request has ${lines.length === 0 ? 'no' : 'several'} Sigil-Signature lines; give --from-header or --kid/--ts/--nonce`);
  }
  return parseSignatureHeader(lines[0]![1]);
}

async function run({ values, positionals }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const raw = parseRawRequest(await readInput('canonical', io, positionals[0]));
  const canonical = canonicalize(raw, paramsFor(values, raw));
  io.stdout.write(values['no-newline'] ? canonical : `${canonical}\n`);
  return EXIT.ok;
}

/** `sigil canonical`: print the canonical string of a request. */
export const canonical: Command = {
  name: 'canonical',
  summary: 'print the canonical string of a raw request, for diffing implementations',
  help: HELP,
  options: {
    'from-header': { type: 'string' },
    kid: { type: 'string' },
    ts: { type: 'string' },
    nonce: { type: 'string' },
    alg: { type: 'string' },
    headers: { type: 'string', multiple: true },
    'no-newline': { type: 'boolean', short: 'n' },
  },
  maxPositionals: 1,
  run,
};
