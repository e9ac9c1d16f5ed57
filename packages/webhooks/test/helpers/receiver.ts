// A webhook receiver on a loopback address with a random port: records
// every delivery (headers and raw body) and answers from a script.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly url: string;
  readonly at: number;
}

export type Answer = (res: ServerResponse, delivery: Delivery, index: number) => void;

export interface Receiver {
  readonly port: number;
  readonly url: string;
  readonly deliveries: Delivery[];
  close(): Promise<void>;
}

export const ok: Answer = (res) => res.writeHead(204).end();

function serve(server: Server, host: string, answer: Answer, scheme: 'http' | 'https'): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks), url: req.url ?? '', at: Date.now() };
      deliveries.push(delivery);
      answer(res, delivery, deliveries.length - 1);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        port,
        url: `${scheme}://${shown}:${port}/hook`,
        deliveries,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** A plain-HTTP receiver on `host` (default 127.0.0.1). */
export function startReceiver(answer: Answer = ok, host = '127.0.0.1'): Promise<Receiver> {
  return serve(createServer(), host, answer, 'http');
}

/** An HTTPS receiver with the given key and certificate. */
export function startTlsReceiver(key: string, cert: string, answer: Answer = ok): Promise<Receiver> {
  return serve(createTlsServer({ key, cert }), '127.0.0.1', answer, 'https');
}
