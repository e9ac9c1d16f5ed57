// `sigil webhook verify --scheme NAME [FILE | -]`: a captured delivery, as
// raw HTTP/1.1 (like `sigil verify`), through the same createWebhookVerifier
// pipeline a server runs, with the verdict explained. Offline: transport and
// replay are not checked.
import { isSigilError } from '@sigil/core';
import { webhookSchemes, type WebhookScheme, type WebhookSchemeName } from '@sigil/core/webhooks';
import { createWebhookVerifier } from '@sigil/verify';
import { int, str, type ArgValues } from '../lib/args.js';
import { EXIT, usage, type ExitCode } from '../lib/cli-error.js';
import { readInput } from '../lib/input.js';
import type { CliIo } from '../lib/io.js';
import { parseRawRequest } from '../lib/raw-request.js';
import { readSecretText } from '../lib/secret.js';
import { sigilDetail } from '../lib/sigil-message.js';

const NAMES = Object.keys(webhookSchemes) as WebhookSchemeName[];
/** Schemes whose secrets never hold whitespace: a space separates secrets there too, as `sigil webhook sign` reads them. */
const TOKEN_SECRETS: ReadonlySet<WebhookSchemeName> = new Set(['standard-webhooks', 'stripe']);

export const VERIFY_HELP = `verify: reads one captured delivery as raw HTTP/1.1 (from FILE, or stdin when
FILE is - or absent) and verifies it the way @sigil/verify's
createWebhookVerifier does on a server: prints the verdict, the error code,
which secret matched, the signed timestamp against the clock, the sender's id
and what replay protection would remember. Offline: transport (HTTPS) and
replay (the nonce store) are not checked.

  sigil webhook verify --scheme stripe delivery.http
  SIGIL_WEBHOOK_SECRET="$(cat github-secret)" sigil webhook verify --scheme github - < delivery.http

Options of verify:
  --scheme NAME            ${NAMES.join(', ')} (required)
  --now UNIX               the verifier's clock, Unix seconds (default: now)
  --tolerance SECONDS      accepted distance between the signed timestamp and now (default 300)
  Secrets as for sign: --secret-env NAME (default SIGIL_WEBHOOK_SECRET) or
  --secret-file PATH, exactly as the sender shows them; several (a rotation)
  one per line, or space-separated for standard-webhooks and stripe.`;

function schemeOf(values: ArgValues, secrets: readonly string[], source: string, tolerance: number | undefined): WebhookScheme {
  const name = str(values, 'scheme');
  if (name === undefined || !NAMES.includes(name as WebhookSchemeName)) throw usage(`webhook verify: --scheme must be one of ${NAMES.join(', ')}`);
  try {
    return webhookSchemes[name as WebhookSchemeName]({ secrets, ...(tolerance === undefined ? {} : { toleranceSeconds: tolerance }) });
  } catch (error) {
    // Names the secret's index and the rule it breaks, never its text.
    if (isSigilError(error)) throw usage(`webhook verify: ${error.code === 'invalid_key' ? `a secret from ${source} is invalid: ` : ''}${sigilDetail(error) ?? error.code}`);
    throw error;
  }
}

/** Runs `sigil webhook verify`. */
export async function verifyWebhook(values: ArgValues, file: string | undefined, io: CliIo): Promise<ExitCode> {
  const { text, source } = readSecretText('webhook verify', values, io.env, 'SIGIL_WEBHOOK_SECRET', 'the endpoint secret your sender shows');
  const name = str(values, 'scheme') as WebhookSchemeName | undefined;
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
  const secrets = name !== undefined && TOKEN_SECRETS.has(name) ? lines.flatMap((line) => line.split(/\s+/)) : lines;
  const tolerance = int('webhook verify', values, 'tolerance');
  const scheme = schemeOf(values, secrets, source, tolerance);
  const now = int('webhook verify', values, 'now');
  const raw = parseRawRequest(await readInput('webhook verify', io, file));
  const verifier = createWebhookVerifier({ schemes: [scheme], replay: false, allowInsecureHttp: true, ...(now === undefined ? {} : { clock: () => now * 1000 }) });
  const result = await verifier.verify({ method: raw.method, target: raw.target, headers: raw.headers, body: raw.body, secure: false });
  const clock = now ?? Math.floor(Date.now() / 1000);

  const out = [`verdict:  ${result.ok ? 'accepted' : 'rejected'}`, `scheme:   ${scheme.name} (signature in ${scheme.signatureHeader})`];
  if (!result.ok) {
    out.push(`code:     ${result.code} (HTTP ${result.status})`);
    if (result.code === 'signature_missing') out.push(`hint:     no ${scheme.signatureHeader} header: is this delivery from ${scheme.name}?`);
    if (result.code === 'signature_invalid') {
      out.push('hint:     the MAC matches none of the secrets: check the secret (exactly as the sender shows it; for');
      out.push('          standard-webhooks the part after whsec_ is base64, for stripe the whole whsec_ string is the key)');
      out.push('          and that the body is byte for byte what was sent (no re-serialised JSON, no added newline)');
    }
  } else {
    out.push(`secret:   #${result.secretIndex} of ${secrets.length}`);
    if (result.timestamp !== undefined) out.push(`ts:       ${result.timestamp} (${clock - result.timestamp} s before the clock ${clock}; tolerance ${scheme.toleranceSeconds} s)`);
    else out.push('ts:       none signed: replay is bounded only by the retention');
    if (result.id !== undefined) out.push(`id:       ${result.id} (${result.idSigned ? 'covered by the MAC' : 'NOT covered by the MAC'})`);
    out.push(`replay:   remembered by the ${result.replaySource === 'id' ? 'signed id' : 'signed bytes'} for ${scheme.retentionSeconds} s`);
  }
  out.push(`request:  ${raw.method} ${raw.target.length > 80 ? `${raw.target.slice(0, 77)}...` : raw.target}, body ${raw.body.length} bytes (${raw.framing})`);
  out.push('note:     offline check: transport (HTTPS) and replay (nonce store) are not checked');
  io.stdout.write(`${out.join('\n')}\n`);
  return result.ok ? EXIT.ok : EXIT.failed;
}
