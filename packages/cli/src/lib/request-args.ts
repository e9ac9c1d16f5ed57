// curl-like request arguments shared by `sigil sign`: -X, -H, -d/--data-binary, URL.
import { commaList, list, str, type ArgValues, type OptionSpec } from './args.js';
import { usage } from './cli-error.js';
import { readData } from './input.js';
import type { CliIo } from './io.js';

/** The request options of `sigil sign`. */
export const REQUEST_OPTIONS = {
  request: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  'data-binary': { type: 'string' },
  'sign-header': { type: 'string', multiple: true },
} as const satisfies OptionSpec;

/** A request described on the command line. */
export interface RequestArgs {
  readonly url: URL;
  readonly method: string;
  readonly headers: Array<[string, string]>;
  readonly body: Uint8Array | null;
  /** Extra header names to sign (host always, content-type when present). */
  readonly signHeaders: string[];
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function parseHeader(line: string, index: number): [string, string] {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  // The value is never echoed: it may be a credential.
  if (!TOKEN.test(name)) throw usage(`sign: -H number ${index + 1} is not "Name: value"`);
  if (name.toLowerCase() === 'host') throw usage('sign: the Host header comes from the URL; change the URL instead of -H Host');
  return [name, line.slice(colon + 1).trim()];
}

/** Reads URL, method, headers and body from the parsed arguments. */
export async function requestArgs(values: ArgValues, positionals: readonly string[], io: CliIo): Promise<RequestArgs> {
  const text = positionals[0];
  if (text === undefined) throw usage('sign: missing URL (see sigil sign --help)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage('sign: the URL is not an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage('sign: the URL must start with http:// or https://');
  const data = str(values, 'data');
  const binary = str(values, 'data-binary');
  if (data !== undefined && binary !== undefined) throw usage('sign: give -d or --data-binary, not both');
  const dataArg = data ?? binary;
  const body = dataArg === undefined ? null : await readData('sign', io, dataArg);
  const method = str(values, 'request') ?? (body === null ? 'GET' : 'POST');
  if (!TOKEN.test(method)) throw usage('sign: -X must be an HTTP method token');
  if (body !== null && (method === 'GET' || method === 'HEAD')) throw usage(`sign: a ${method} request cannot carry a body (fetch refuses it)`);
  return {
    url,
    method,
    headers: list(values, 'header').map(parseHeader),
    body,
    signHeaders: commaList(values, 'sign-header'),
  };
}
