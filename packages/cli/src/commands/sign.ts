import { canonicalize, isSigilError, parseSignatureHeader, type Algorithm } from '@sigil/core';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { int, str, type ParsedArgs } from '../lib/args.js';
import { EXIT, ioError, usage, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import type { CliIo } from '../lib/io.js';
import { formatRawRequest } from '../lib/raw-request.js';
import { REQUEST_OPTIONS, requestArgs, type RequestArgs } from '../lib/request-args.js';
import { loadSecret, SECRET_HELP, SECRET_OPTIONS } from '../lib/secret.js';
import { printResponse } from '../lib/response.js';
import { describeSigilError } from '../lib/sigil-message.js';

const HELP = `Usage: sigil sign [options] URL

Signs a request with Sigil v1, curl-style. By default prints the header to
add, so it composes with curl:

  curl -H "$(sigil sign -X POST -H 'Content-Type: application/json' -d @order.json URL)" \\
       -H 'Content-Type: application/json' --data-binary @order.json URL

Signing goes through @sigil/fetch, so the header is exactly what
createSigningFetch would send: host always signed, content-type when present.

Request:
  -X, --request METHOD     method (default GET, or POST with a body)
  -H, --header 'N: v'      a header line (repeatable); Host always comes from the URL
  -d, --data DATA          body: the text itself, @FILE for a file's exact bytes
                           (unlike curl -d, newlines are kept), @- for stdin
      --data-binary DATA   same as -d
      --sign-header NAME   also sign this header when present (repeatable or a,b)

Key:
  --key-id ID              key id (default $SIGIL_KEY_ID)
  --alg ALG                hmac-sha256 (default) or hmac-sha512
${SECRET_HELP}

Output:
  (default)                print "Sigil-Signature: <value>"
  --raw                    print the whole signed request as HTTP/1.1 (pipe it into
                           sigil verify)
  --send                   send it and print the response status, headers and body;
                           exits 1 on a 4xx/5xx answer
  --ts UNIX                sign with this timestamp instead of the clock (not with --send)
  --allow-insecure-http    allow http:// to a non-loopback host (anyone on the path
                           could read and replay the request)
  -v, --verbose            print the canonical string to stderr`;

interface Captured {
  headers: Array<[string, string]>;
}

/** A fetch that sends nothing: it keeps the signed headers and answers 204. */
function capture(into: Captured): FetchLike {
  return async (_url: string, init: { headers: Array<[string, string]> }) => {
    into.headers = init.headers;
    return new Response(null, { status: 204 });
  };
}

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing is listening there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  ECONNRESET: 'the server closed the connection',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
};

function describeFailure(error: unknown, url: URL): never {
  if (isSigilError(error)) throw usage(`sign: ${describeSigilError(error)}`);
  const cause = (error as { cause?: { code?: string; message?: string; address?: string; port?: number } }).cause;
  const code = cause?.code ?? cause?.message ?? (error as Error).message;
  // Where it tried: the URL's origin, and the address it resolved to when the
  // error says (a name may resolve somewhere unexpected).
  const address = cause?.address === undefined ? '' : ` (${cause.address}${cause.port === undefined ? '' : `:${cause.port}`})`;
  const hint = cause?.code !== undefined && NETWORK_HINTS[cause.code] ? `: ${NETWORK_HINTS[cause.code]}` : '';
  throw ioError(`sign: could not send the request to ${url.origin}${address}: ${code}${hint}`, error);
}

/**
 * curl's -d (unlike --data-binary) strips CR and LF from an @file or @-
 * body, so a header signed over the file's bytes fails as signature_invalid
 * at the server. Said when it applies: -d @... with line breaks.
 */
function curlDataNote(dataArg: string | undefined, body: Uint8Array | null): string | undefined {
  if (dataArg === undefined || !dataArg.startsWith('@') || body === null) return undefined;
  if (!body.includes(0x0a) && !body.includes(0x0d)) return undefined;
  return (
    'sigil sign: note: the body has line breaks. Send it with curl --data-binary, not curl -d:\n' +
    '  curl -d strips line breaks from @file bodies, and the server then answers signature_invalid.\n'
  );
}

async function run({ values, positionals }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const request: RequestArgs = await requestArgs(values, positionals, io);
  const keyId = str(values, 'key-id') ?? io.env.SIGIL_KEY_ID;
  if (keyId === undefined || keyId === '') throw usage('sign: missing --key-id (or set SIGIL_KEY_ID)');
  const alg = str(values, 'alg') ?? 'hmac-sha256';
  if (alg !== 'hmac-sha256' && alg !== 'hmac-sha512') throw usage('sign: --alg must be hmac-sha256 or hmac-sha512');
  const ts = int('sign', values, 'ts');
  const send = values.send === true;
  if (send && (ts !== undefined || values.raw)) throw usage('sign: --send cannot be combined with --ts or --raw');
  const secret = loadSecret('sign', values, io.env);

  const captured: Captured = { headers: [] };
  let signingFetch: typeof fetch;
  try {
    signingFetch = createSigningFetch({
      keyId,
      secret,
      origins: '*', // one URL, typed by the operator: its transport is still checked
      algorithm: alg as Algorithm,
      signedHeaders: request.signHeaders,
      allowInsecureHttp: values['allow-insecure-http'] === true,
      ...(ts === undefined ? {} : { clock: () => ts * 1000 }),
      ...(send ? {} : { fetch: capture(captured) }),
    });
  } catch (error) {
    return describeFailure(error, request.url);
  }
  let response: Response;
  try {
    response = await signingFetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === null ? {} : { body: request.body as Uint8Array<ArrayBuffer> }),
    });
  } catch (error) {
    return describeFailure(error, request.url);
  }
  if (send) return printResponse(io, response);

  const signature = captured.headers.find(([name]) => name === 'sigil-signature')?.[1];
  if (signature === undefined) throw new Error('sign: the signing fetch sent no signature');
  const headers: Array<[string, string]> = [['Host', request.url.host], ...captured.headers.filter(([n]) => n !== 'sigil-signature')];
  const target = request.url.pathname + request.url.search;
  if (values.verbose) {
    const canonical = canonicalize({ method: request.method, target, headers, body: request.body }, parseSignatureHeader(signature));
    io.stderr.write(`canonical string:\n${canonical}\n`);
  }
  if (values.raw) {
    io.stdout.write(formatRawRequest({ method: request.method, target, headers: [...headers, ['Sigil-Signature', signature]], body: request.body }));
  } else {
    io.stdout.write(`Sigil-Signature: ${signature}\n`);
    const note = curlDataNote(str(values, 'data'), request.body);
    if (note !== undefined) io.stderr.write(note);
  }
  return EXIT.ok;
}

/** `sigil sign`: sign a request, print the header or send it. */
export const sign: Command = {
  name: 'sign',
  summary: 'sign a request (curl-like) and print the header, the raw request, or the response',
  help: HELP,
  options: {
    ...REQUEST_OPTIONS,
    ...SECRET_OPTIONS,
    'key-id': { type: 'string' },
    alg: { type: 'string' },
    raw: { type: 'boolean' },
    send: { type: 'boolean' },
    ts: { type: 'string' },
    'allow-insecure-http': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  maxPositionals: 1,
  run,
};
