import { writeFileSync } from 'node:fs';
import { base64urlEncode, exportKey, generateKey, isKeyId } from '@sigil/core';
import { str, type ParsedArgs } from '../lib/args.js';
import { EXIT, ioError, usage, type ExitCode } from '../lib/cli-error.js';
import type { Command } from '../lib/command.js';
import type { CliIo } from '../lib/io.js';

const HELP = `Usage: sigil keygen [--kid ID] [--secret-out PATH] [--json]

Creates a new 32-byte random secret (base64url, no padding) and a key id.
Prints them as environment assignments, ready for a .env file or a secret
manager:

  SIGIL_KEY_ID=key-...
  SIGIL_SECRET=...

These are the names sigil sign and sigil verify read by default, and the ones
the README's quick starts read (run it with --kid client-1 for those). Give
the same pair to the client (sigil sign, @sigil/fetch) and the server
(@sigil/verify, the Flask integration).

Options:
  --kid ID            use this key id (1-128 of A-Z a-z 0-9 . _ ~ : -); default a random one
  --secret-out PATH   write the secret to a new file (mode 600) instead of stdout
                      and print SIGIL_SECRET_FILE=PATH, which sigil sign and
                      sigil verify read when SIGIL_SECRET is unset
  --json              print {"keyId": ..., "secret": ...} instead`;

/** Throws a usage error unless `kid` is a valid key id (core's own check). */
function checkKeyId(kid: string): void {
  if (!isKeyId(kid)) throw usage('keygen: --kid must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ : -');
}

function randomKeyId(): string {
  return `key-${base64urlEncode(crypto.getRandomValues(new Uint8Array(9)))}`;
}

async function run({ values }: ParsedArgs, io: CliIo): Promise<ExitCode> {
  const kid = str(values, 'kid') ?? randomKeyId();
  checkKeyId(kid);
  const secret = exportKey(generateKey(), 'base64url');
  const out = str(values, 'secret-out');
  if (out !== undefined) {
    try {
      // wx: never overwrite an existing file (it may hold a live secret).
      writeFileSync(out, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      throw ioError(`keygen: cannot create ${out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify(out === undefined ? { keyId: kid, secret } : { keyId: kid, secretFile: out })}\n`);
  } else {
    io.stdout.write(`SIGIL_KEY_ID=${kid}\n${out === undefined ? `SIGIL_SECRET=${secret}` : `SIGIL_SECRET_FILE=${out}`}\n`);
  }
  return EXIT.ok;
}

/** `sigil keygen`: a new secret and key id. */
export const keygen: Command = {
  name: 'keygen',
  summary: 'create a new 32-byte secret (base64url) and a key id',
  help: HELP,
  options: { kid: { type: 'string' }, 'secret-out': { type: 'string' }, json: { type: 'boolean' } },
  maxPositionals: 0,
  run,
};
