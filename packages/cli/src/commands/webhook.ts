import { isSigilError } from '@sigil/core';
import { generateWebhookSecret, signStandardWebhook } from '@sigil/core/webhooks';
import { int, str, type ParsedArgs } from '../lib/args.js';
import { EXIT, usage, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import { readData, readStdin } from '../lib/input.js';
import type { CliIo } from '../lib/io.js';
import { readSecretText } from '../lib/secret.js';
import { verifyWebhook, VERIFY_HELP } from './webhook-verify.js';

const HELP = `Usage: sigil webhook sign [options]
       sigil webhook verify --scheme NAME [options] [FILE | -]
       sigil webhook secret

sign: prints the Standard Webhooks headers (webhook-id, webhook-timestamp,
webhook-signature) for a payload, for testing a receiver by hand:

  sigil webhook sign -d @event.json > headers.txt
  curl -H @headers.txt --data-binary @event.json https://receiver.example/hook
  sigil webhook sign --json -d '{"type":"ping"}'

The signature covers "<id>.<timestamp>.<body bytes>"; send the body byte for
byte as given. These are the headers @sigil/webhooks sends on one attempt.

secret: prints a new whsec_ secret (32 random bytes).

${VERIFY_HELP}

Options of sign:
  -d, --data DATA          body: the text itself, @FILE for a file's exact bytes, @- for
                           stdin (default: stdin)
  --id ID                  webhook-id (default msg_ + 128 random bits)
  --ts UNIX                webhook-timestamp (default now)
  --json                   print {"webhook-id": ..., ...} instead of header lines

Secret (never on the command line):
  --secret-env NAME        read the whsec_ secret from this environment variable
                           (default SIGIL_WEBHOOK_SECRET); several, space-separated,
                           sign at once (a rotation)
  --secret-file PATH       read it from this file (surrounding whitespace ignored)`;

function randomId(): string {
  return `msg_${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64url')}`;
}

async function run({ values, positionals }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const [action] = positionals;
  if (action === 'secret') {
    io.stdout.write(`${generateWebhookSecret()}\n`);
    return EXIT.ok;
  }
  if (action === 'verify') return verifyWebhook(values, positionals[1], io);
  if (positionals.length > 1) throw usage('webhook: too many arguments (see sigil webhook --help)');
  if (action !== 'sign') throw usage('webhook: expected "sigil webhook sign", "sigil webhook verify" or "sigil webhook secret" (see sigil webhook --help)');
  const { text, source } = readSecretText('webhook', values, io.env, 'SIGIL_WEBHOOK_SECRET', 'see sigil webhook secret');
  const secrets = text.trim().split(/\s+/);
  const data = str(values, 'data');
  const body = data === undefined ? await readStdin(io) : await readData('webhook', io, data);
  const timestamp = int('webhook', values, 'ts') ?? Math.floor(Date.now() / 1000);
  let headers;
  try {
    headers = signStandardWebhook({ id: str(values, 'id') ?? randomId(), timestamp, body, secrets });
  } catch (error) {
    if (isSigilError(error, 'invalid_key')) throw usage(`webhook: the secret from ${source} is invalid: ${error.message}`);
    if (isSigilError(error)) throw usage(`webhook: ${error.message}`);
    throw error;
  }
  if (values.json) io.stdout.write(`${JSON.stringify(headers)}\n`);
  else io.stdout.write(Object.entries(headers).map(([name, value]) => `${name}: ${value}\n`).join(''));
  return EXIT.ok;
}

/** `sigil webhook`: Standard Webhooks headers for a payload, and new whsec_ secrets. */
export const webhook: Command = {
  name: 'webhook',
  summary: 'sign a Standard Webhooks payload, verify a captured delivery of any webhook scheme, or make a whsec_ secret',
  help: HELP,
  options: {
    data: { type: 'string', short: 'd' },
    id: { type: 'string' },
    ts: { type: 'string' },
    json: { type: 'boolean' },
    scheme: { type: 'string' },
    now: { type: 'string' },
    tolerance: { type: 'string' },
    'secret-env': { type: 'string' },
    'secret-file': { type: 'string' },
  },
  maxPositionals: 2,
  run,
};
