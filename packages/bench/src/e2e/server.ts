// Child process: the end-to-end server. `plain` reads the whole body and
// answers 200; `verify` does the same behind sigilListener with a
// MemoryNonceStore. Prints `{"port":N}` on stdout once listening on
// 127.0.0.1, and exits when its stdin closes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { benchVerifier } from '../rows/sigil-verify.js';
import { scenario } from '../scenarios.js';

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const reply = (res: ServerResponse, bytes: number): void => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${bytes}`);
};

const mode = process.argv[2];
if (mode !== 'plain' && mode !== 'verify') throw new Error('usage: e2e-server.js <plain|verify>');
const listener =
  mode === 'plain'
    ? (req: IncomingMessage, res: ServerResponse) => {
        readAll(req).then((body) => reply(res, body.length), () => res.destroy());
      }
    : sigilListener(benchVerifier(scenario('typical'), new MemoryNonceStore({ maxEntries: 1_000_000 })), (_req, res, { body }) =>
        reply(res, body.length),
      );
const server = createServer({ keepAliveTimeout: 30_000 }, listener);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
