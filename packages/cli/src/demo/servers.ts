// The demo's three loopback servers: the API (a Sigil verifier with an
// in-memory nonce store), a second origin that reports whether a signature
// reached it, and a proxy that flips one body byte on the way to the API.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SigilKey } from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';

/** The running servers and how to stop them. */
export interface DemoServers {
  /** `http://127.0.0.1:<port>`: verifies every request. */
  readonly api: string;
  /** Another origin (another port): answers `{"sawSignature": boolean}`. */
  readonly other: string;
  /** Forwards to the API with one body byte flipped. */
  readonly proxy: string;
  /** Requests the other origin received. */
  otherHits(): number;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(JSON.stringify(body));
}

/** Starts the API, the other origin and the tampering proxy on 127.0.0.1, ephemeral ports. */
export async function startDemoServers(keyId: string, key: SigilKey): Promise<DemoServers> {
  let hits = 0;
  const other = createServer((req, res) => {
    hits++;
    req.resume();
    json(res, 200, { sawSignature: req.headers['sigil-signature'] !== undefined });
  });
  const otherUrl = await listen(other);

  // Loopback peers are exempt from the HTTPS rule; nothing else is relaxed.
  const verifier = createVerifier({ keys: { [keyId]: key }, nonceStore: new MemoryNonceStore() });
  const api = createServer(
    sigilListener(verifier, (req, res, { keyId: signer }) => {
      if (req.url === '/redirect') return void res.writeHead(307, { location: `${otherUrl}/landing` }).end();
      json(res, 200, { accepted: true, keyId: signer });
    }),
  );
  const apiUrl = await listen(api);
  const apiPort = new URL(apiUrl).port;

  const proxy = createServer(async (req, res) => {
    const body = await readAll(req);
    if (body.length > 0) body[body.length >> 1]! ^= 0x01;
    const upstream = httpRequest(
      { host: '127.0.0.1', port: apiPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => json(res, 502, { error: 'proxy' }));
    upstream.end(body);
  });
  const proxyUrl = await listen(proxy);

  return {
    api: apiUrl,
    other: otherUrl,
    proxy: proxyUrl,
    otherHits: () => hits,
    close: async () => {
      await Promise.all([stop(api), stop(other), stop(proxy)]);
    },
  };
}
