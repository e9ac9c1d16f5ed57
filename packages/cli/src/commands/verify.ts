import { canonicalize, headerValue, isSigilError, parseSignatureHeader, SIGNATURE_HEADER, type SignatureParams } from '@sigil/core';
import { createVerifier, type VerificationResult } from '@sigil/verify';
import { commaList, int, str, type ParsedArgs } from '../lib/args.js';
import { diffCanonical } from '../lib/canonical-diff.js';
import { EXIT, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import { readInput } from '../lib/input.js';
import type { CliIo } from '../lib/io.js';
import { parseRawRequest, type RawRequest } from '../lib/raw-request.js';
import { loadSecret, SECRET_HELP, SECRET_OPTIONS } from '../lib/secret.js';
import { sigilDetail } from '../lib/sigil-message.js';

const HELP = `Usage: sigil verify [options] [FILE | -]

Reads one raw HTTP/1.1 request (from FILE, or stdin when FILE is - or absent)
and verifies its Sigil-Signature with @sigil/verify: prints the verdict and
the error code, and on failure the canonical string this implementation
computed, to diff against the client's (sigil canonical, or your own code).

This is an offline check: transport (HTTPS) and replay (nonce store) are not
checked. Line ends may be CRLF or LF; the body is read by Content-Length,
chunked coding, or to the end of the input (mind an editor's final newline).

Options:
  --key-id ID            accept only this key id (default: the secret is tried for
                         the key id the header names)
${SECRET_HELP.replace(/^Secret.*\n/, '')}
  --now UNIX             the verifier's clock, Unix seconds (default: now)
  --tolerance SECONDS    accepted distance between ts and now (default 300)
  --require-header NAME  a header the signature must cover (repeatable or a,b)
  --max-body-bytes N     body limit (default 1048576)
  --compare FILE         a canonical string to compare line by line with the computed one`;

interface Parsed {
  readonly params?: SignatureParams;
  /** Why the header does not parse: core's secret-free detail, never the value. */
  readonly problem?: string;
}

function parseHeader(raw: RawRequest): Parsed {
  const lines = raw.headers.filter(([name]) => name.toLowerCase() === SIGNATURE_HEADER);
  if (lines.length === 0) return {};
  if (lines.length > 1) return { problem: `${lines.length} ${SIGNATURE_HEADER} header lines (exactly one is allowed)` };
  try {
    return { params: parseSignatureHeader(lines[0]![1]) };
  } catch (error) {
    if (!isSigilError(error)) throw error;
    return { problem: sigilDetail(error) ?? error.message };
  }
}

/**
 * A body sent with curl -d: no line breaks left (curl strips them from @file
 * bodies) and the form content-type curl adds when none is given.
 */
function looksLikeCurlData(raw: RawRequest): boolean {
  if (raw.body.length === 0 || raw.body.includes(0x0a) || raw.body.includes(0x0d)) return false;
  return /^application\/x-www-form-urlencoded\b/i.test(headerValue(raw.headers, 'content-type') ?? '');
}

/** The canonical string the verifier computed, or core's, when the header parses. */
function computedCanonical(result: VerificationResult, raw: RawRequest, p: SignatureParams | undefined): string | undefined {
  if (!result.ok && result.canonical !== undefined) return result.canonical;
  if (!p) return undefined;
  try {
    return canonicalize(raw, p);
  } catch {
    return undefined;
  }
}

async function run({ values, positionals }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const production = io.env.NODE_ENV === 'production';
  const keyId = str(values, 'key-id');
  const key = loadSecret('verify', values, io.env);
  const now = int('verify', values, 'now');
  const tolerance = int('verify', values, 'tolerance');
  const maxBody = int('verify', values, 'max-body-bytes');
  const compareFile = str(values, 'compare');
  const compare = compareFile === undefined ? undefined : new TextDecoder().decode(await readInput('verify', io, compareFile));
  const raw = parseRawRequest(await readInput('verify', io, positionals[0]));

  const verifier = createVerifier({
    keys: (kid) => (keyId === undefined || kid === keyId ? key : null),
    replay: false,
    allowInsecureHttp: true,
    debug: !production,
    requiredHeaders: commaList(values, 'require-header'),
    ...(tolerance === undefined ? {} : { toleranceSeconds: tolerance }),
    ...(maxBody === undefined ? {} : { maxBodyBytes: maxBody }),
    ...(now === undefined ? {} : { clock: () => now * 1000 }),
  });
  const result = await verifier.verify({ method: raw.method, target: raw.target, headers: raw.headers, body: raw.body, secure: false });
  const parsed = parseHeader(raw);
  const p = parsed.params;
  const clock = now ?? Math.floor(Date.now() / 1000);

  const out: string[] = [`verdict:  ${result.ok ? 'accepted' : 'rejected'}`];
  if (!result.ok) {
    const answered = result.publicCode === result.code ? '' : `, answered as ${result.publicCode}`;
    out.push(`code:     ${result.code} (HTTP ${result.status}${answered})`);
    if (result.code === 'signature_header_malformed' && parsed.problem !== undefined) out.push(`problem:  ${parsed.problem}`);
    // Unsigned, curl -d's Content-Type fails the content rule first (SPEC 4 step 6).
    const curlType = result.code === 'header_not_signed' && p !== undefined && !p.headers.includes('content-type');
    if ((result.code === 'signature_invalid' || curlType) && looksLikeCurlData(raw)) {
      out.push(
        'hint:     the body has no line breaks and curl -d\'s Content-Type (application/x-www-form-urlencoded):',
        '          curl -d strips line breaks from @file bodies, so the bytes differ from the ones signed.',
        '          Send the body with curl --data-binary and the same -H lines as sigil sign.',
      );
    }
  }
  if (p) {
    out.push(`key id:   ${p.keyId}  alg: ${p.algorithm}`);
    out.push(`ts:       ${p.timestamp} (${clock - p.timestamp} s before the clock ${clock}; tolerance ${tolerance ?? 300} s)`);
    out.push(`signed:   ${p.headers.join(', ')}`);
  }
  out.push(`request:  ${raw.method} ${raw.target.length > 80 ? `${raw.target.slice(0, 77)}...` : raw.target}, body ${raw.body.length} bytes (${raw.framing})`);
  out.push('note:     offline check: transport (HTTPS) and replay (nonce) are not checked');

  const canonical = production ? undefined : computedCanonical(result, raw, p);
  if (!result.ok || compare !== undefined) {
    if (production) out.push('canonical string: not shown under NODE_ENV=production');
    else if (canonical !== undefined) out.push('computed canonical string:', '-----', canonical, '-----');
  }
  if (compare !== undefined && canonical !== undefined) {
    const diff = diffCanonical(canonical, compare);
    out.push(diff.length === 0 ? 'compare:  identical to the computed canonical string' : 'compare:  differs', ...diff);
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** `sigil verify`: verify a raw HTTP request and explain the verdict. */
export const verify: Command = {
  name: 'verify',
  summary: 'verify a raw HTTP/1.1 request (file or stdin) and show what differs',
  help: HELP,
  options: {
    ...SECRET_OPTIONS,
    'key-id': { type: 'string' },
    now: { type: 'string' },
    tolerance: { type: 'string' },
    'require-header': { type: 'string', multiple: true },
    'max-body-bytes': { type: 'string' },
    compare: { type: 'string' },
  },
  maxPositionals: 1,
  run,
};
