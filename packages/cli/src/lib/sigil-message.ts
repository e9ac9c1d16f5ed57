// One line for a SigilError: its code, then what is wrong, said once.
import { SigilError } from '@sigil/core';

/**
 * The part of a SigilError's message after its fixed base message: the
 * precise, secret-free detail core attaches (a parameter name, a limit, an
 * option name), or undefined when there is none. The base message restates
 * the code ("the key is invalid" for invalid_key), so callers that already
 * say what failed print the detail alone.
 */
export function sigilDetail(error: SigilError): string | undefined {
  const base = new SigilError(error.code).message;
  return error.message.startsWith(`${base}: `) ? error.message.slice(base.length + 2) : undefined;
}

/** `code: detail`, or `code: message` when there is no detail. */
export function describeSigilError(error: SigilError): string {
  return `${error.code}: ${sigilDetail(error) ?? error.message}`;
}
