// Real servers on 127.0.0.1 (random ports) that record every request and
// verify its signature with @sigil/core, as a server would.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseSignatureHeader, verifySignature, type SigilKey, type SignatureParams, type VerifySignatureResult } from '@sigil/core';
import { generate } from 'selfsigned';

export interface Seen {
  readonly method: string;
  readonly url: string;
  /** rawHeaders paired up, in the order received. */
  readonly headers: Array<[string, string]>;
  readonly body: Uint8Array<ArrayBuffer>;
  /** The Sigil-Signature value, when the request carried one. */
  readonly signature: string | undefined;
  readonly params: SignatureParams | undefined;
  /** core's verdict over the exact bytes and headers received. */
  readonly verified: VerifySignatureResult | undefined;
  header(name: string): string | undefined;
}

export type Route = (seen: Seen, res: http.ServerResponse, server: TestServer) => void;

export interface TestServer {
  readonly origin: string;
  readonly port: number;
  readonly seen: Seen[];
  route: Route;
  close(): Promise<void>;
}

const ok: Route = (_seen, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export async function startServer(key: SigilKey, options: { tls?: { key: string; cert: string }; route?: Route } = {}): Promise<TestServer> {
  const seen: Seen[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = pairs(req.rawHeaders);
      const body = new Uint8Array(Buffer.concat(chunks));
      const sigLines = headers.filter(([name]) => name.toLowerCase() === 'sigil-signature');
      const signature = sigLines[0]?.[1];
      let params: SignatureParams | undefined;
      let verified: VerifySignatureResult | undefined;
      if (signature !== undefined) {
        try {
          params = parseSignatureHeader(signature);
        } catch {
          params = undefined;
        }
        verified = verifySignature({ method: req.method!, target: req.url!, headers, body }, signature, key);
      }
      const entry: Seen = {
        method: req.method!,
        url: req.url!,
        headers,
        body,
        signature,
        params,
        verified,
        header: (name) => {
          const lines = headers.filter(([n]) => n.toLowerCase() === name);
          return lines.length === 0 ? undefined : lines.map(([, v]) => v).join(', ');
        },
      };
      seen.push(entry);
      server.route(entry, res, server);
    });
  };
  const native = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => native.listen(0, '127.0.0.1', resolve));
  const port = (native.address() as AddressInfo).port;
  const server: TestServer = {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    route: options.route ?? ok,
    close: () =>
      new Promise<void>((resolve) => {
        native.closeAllConnections();
        native.close(() => resolve());
      }),
  };
  return server;
}

/** A self-signed certificate for 127.0.0.1, localhost and any `names`, made for this run. */
export async function makeCertificate(names: readonly string[] = []): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          ...names.map((value) => ({ type: 2 as const, value })),
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A fetch stand-in that records calls and answers 200 without any network. */
export function recordingFetch(): { fetch: (input: string, init: RequestInit) => Promise<Response>; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response('ok');
    },
  };
}

export const SECRET_BYTES = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
