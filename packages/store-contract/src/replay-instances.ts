// The two-process replay test every shared store runs: server instances
// spawned as child processes (each a verifier on its own port, on its own
// client), and one signed request captured and sent to them many times.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signRequest, type SigilKey } from '@sigil/core';

export const API_HOST = 'api.sigil.test';

/** What an attacker captures: the signature header and the body. */
export interface SignedPost {
  readonly path: string;
  readonly signature: string;
  readonly body: string;
  readonly nonce: string;
}

/** Signs `POST <path>` with `body`, content-type signed, timestamp now. */
export function signPost(key: SigilKey, keyId: string, body: string, path = '/v1/orders'): SignedPost {
  const request = { method: 'POST', target: path, headers: [['host', API_HOST], ['content-type', 'application/json']] as const, body: new TextEncoder().encode(body) };
  const signed = signRequest(request, key, { keyId, timestamp: Math.floor(Date.now() / 1000), headers: ['content-type'] });
  return { path, signature: signed.header, body, nonce: signed.params.nonce };
}

/** Sends `post` to 127.0.0.1:`port`; resolves with the status and the body text. */
export function send(agent: http.Agent, port: number, post: SignedPost): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, agent, method: 'POST', path: post.path,
        headers: { host: API_HOST, 'content-type': 'application/json', 'content-length': Buffer.byteLength(post.body), 'sigil-signature': post.signature },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject).end(post.body);
  });
}

/** One spawned server instance. */
export interface Instance {
  readonly child: ChildProcess;
  readonly port: number;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Spawns `fixture` (a .ts file that prints `{"port":N}` once listening and
 * exits on SIGTERM or when its stdin closes) as `node --import tsx`, with
 * every @sigil/* import resolved to its sources, and waits for the port.
 *
 * @example
 * const instance = await startInstance(new URL('./fixtures/replay-server.ts', import.meta.url), 'pg', { SIGIL_CLIENT: 'pg' });
 */
export function startInstance(fixture: URL, label: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(fixture)], {
    cwd: ROOT,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: 'tsconfig.check.json' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, port: (JSON.parse(line) as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${label} server exited (${code}) before listening:\n${stderr}`)));
  });
}

/** Stops an instance (SIGTERM) and waits for it to exit. */
export async function stopInstance(instance: Instance | undefined): Promise<void> {
  const child = instance?.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
