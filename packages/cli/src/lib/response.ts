import { EXIT, ioError, type ExitCode } from './cli-error.js';
import type { CliIo } from './io.js';

/**
 * Prints a response like `curl -i`: status line, header lines, an empty
 * line, the body bytes. Exit 0 below 400, 1 from 400 on.
 */
export async function printResponse(io: CliIo, response: Response): Promise<ExitCode> {
  let body: Uint8Array;
  try {
    body = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw ioError('sign: the response body could not be read', error);
  }
  const lines = [`HTTP ${response.status} ${response.statusText}`.trimEnd()];
  response.headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  io.stdout.write(`${lines.join('\n')}\n\n`);
  io.stdout.write(body);
  if (body.length > 0 && body[body.length - 1] !== 0x0a && io.isTTY) io.stdout.write('\n');
  return response.status >= 400 ? EXIT.failed : EXIT.ok;
}
