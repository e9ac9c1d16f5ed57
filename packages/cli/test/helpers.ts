// Spawns the BUILT binary (packages/cli/dist/bin.js), as a user would run it.
// The root test script builds first; in a dev loop run `npx tsup` in packages/cli.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "pnpm run build" (or npx tsup in packages/cli) first`);

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/**
 * Runs `sigil ...args` with only the environment given (plus PATH), feeding
 * `input` on stdin. Asynchronous, so servers in the test process keep serving.
 */
export function sigil(args: readonly string[], options: { env?: Record<string, string>; input?: string | Uint8Array; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      cwd: options.cwd ?? REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A stack trace line, which must never reach stderr without --debug. */
export const STACK_LINE = /^\s+at /m;
