// Reading the shared secret: from an environment variable or a file, never
// from an argument value (shell history, `ps`).
import { readFileSync } from 'node:fs';
import { importKey, isSigilError, KEY_ENCODINGS, type KeyEncoding, type SigilKey } from '@sigil/core';
import { str, type ArgValues, type OptionSpec } from './args.js';
import { ioError, usage } from './cli-error.js';
import { sigilDetail } from './sigil-message.js';

/** The secret options shared by sign, verify and demo-like commands. */
export const SECRET_OPTIONS = {
  'secret-env': { type: 'string' },
  'secret-file': { type: 'string' },
  'secret-encoding': { type: 'string' },
} as const satisfies OptionSpec;

/** Their help lines. */
export const SECRET_HELP = `Secret (never on the command line):
  --secret-env NAME       read the secret from this environment variable (default SIGIL_SECRET)
  --secret-file PATH      read the secret from this file (surrounding whitespace ignored);
                          default $SIGIL_SECRET_FILE when SIGIL_SECRET is unset
                          (what sigil keygen --secret-out prints)
  --secret-encoding ENC   base64url (default, the keygen format), base64, hex or utf8`;

const ENCODINGS: readonly KeyEncoding[] = KEY_ENCODINGS;

/**
 * Loads the secret the options point at. Throws a usage error (exit 2) when
 * it is absent or invalid, an I/O error (exit 3) when the file cannot be
 * read. No message carries any part of the secret.
 */
export function loadSecret(command: string, values: ArgValues, env: Readonly<Record<string, string | undefined>>): SigilKey {
  const encoding = (str(values, 'secret-encoding') ?? 'base64url') as KeyEncoding;
  if (!ENCODINGS.includes(encoding)) throw usage(`${command}: --secret-encoding must be one of ${ENCODINGS.join(', ')}`);
  const { text, source } = readSecretText(command, values, env, 'SIGIL_SECRET', 'see sigil keygen');
  // A trailing newline from `echo >` or an editor is never part of a secret.
  const trimmed = encoding === 'utf8' ? text.replace(/\r?\n$/, '') : text.trim();
  try {
    return importKey(trimmed, { encoding });
  } catch (error) {
    if (isSigilError(error)) {
      const why = sigilDetail(error);
      throw usage(`${command}: the secret from ${source} is not a valid ${encoding} key${why === undefined ? '' : `: ${why}`}`);
    }
    throw error;
  }
}

/**
 * The secret's text from --secret-file or --secret-env (default `defaultEnv`),
 * and where it came from (for messages). Throws a usage error (exit 2) when
 * absent, an I/O error (exit 3) when the file cannot be read.
 */
export function readSecretText(
  command: string,
  values: ArgValues,
  env: Readonly<Record<string, string | undefined>>,
  defaultEnv: string,
  hint: string,
): { text: string; source: string } {
  const fileArg = str(values, 'secret-file');
  const envName = str(values, 'secret-env');
  if (fileArg !== undefined && envName !== undefined) throw usage(`${command}: give --secret-env or --secret-file, not both`);
  // With neither option: the default variable, else the file its _FILE
  // variable names (the pair `sigil keygen --secret-out` prints). Both set is ambiguous.
  const fileEnv = `${defaultEnv}_FILE`;
  const envFile = fileArg === undefined && envName === undefined ? env[fileEnv] || undefined : undefined;
  if (envFile !== undefined && env[defaultEnv]) throw usage(`${command}: both ${defaultEnv} and ${fileEnv} are set; unset one`);
  const file = fileArg ?? envFile;
  if (file !== undefined) {
    const source = fileArg === undefined ? `${fileEnv} (${file})` : `--secret-file ${file}`;
    try {
      return { text: readFileSync(file, 'utf8'), source };
    } catch (error) {
      throw ioError(`${command}: cannot read the secret file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const name = envName ?? defaultEnv;
  const text = env[name];
  if (text === undefined || text === '') {
    throw usage(`${command}: no secret: set ${name} (${hint}), or pass --secret-env NAME or --secret-file PATH`);
  }
  return { text, source: `environment variable ${name}` };
}
