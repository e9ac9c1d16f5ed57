// What every example shares: the key from the environment (or the caller),
// a listening helper, and "am I run directly?". Not part of Sigil's API.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { importKey, type SigilKey } from '@sigil/core';

/** How a test (or you) starts an example server. */
export interface ExampleOptions {
  /** Default `$PORT` or 3000; 0 picks a free port. */
  readonly port?: number;
  /** Default `$SIGIL_KEY_ID`. */
  readonly keyId?: string;
  /** base64url, as `sigil keygen` prints it. Default `$SIGIL_SECRET`. */
  readonly secret?: string;
}

/** A running example server. */
export type Running = { readonly url: string; close(): Promise<void> };

/** The key id and key an example verifies (or signs) with. */
export function exampleKey(options: ExampleOptions = {}): { keyId: string; key: SigilKey } {
  const keyId = options.keyId ?? process.env.SIGIL_KEY_ID;
  const secret = options.secret ?? process.env.SIGIL_SECRET;
  if (!keyId || !secret) throw new Error('set SIGIL_KEY_ID and SIGIL_SECRET, e.g. export $(node packages/cli/dist/bin.js keygen)');
  return { keyId, key: importKey(secret, { encoding: 'base64url' }) };
}

/** Listens on 127.0.0.1 and resolves with the URL and a close function. */
export function listen(server: Server, port = Number(process.env.PORT ?? 3000)): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const close = () => new Promise<void>((done) => (server.close(() => done()), server.closeAllConnections()));
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close });
    });
  });
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === url;
}

/** Runs an example server when its file is run directly; stops it on Ctrl-C. */
export function runDirectly(url: string, start: () => Promise<Running>): void {
  if (!isMain(url)) return;
  start().then(
    (running) => {
      console.log(`listening on ${running.url} (POST /orders with a Sigil-signed request)`);
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.close());
    },
    (error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
