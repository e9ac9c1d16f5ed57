// Runs one documentation snippet as the program a reader would paste, on
// loopback only: `node --import tsx tests/snippets/run-snippet.ts FILE`.
//
// - `*.example.com` resolves to this process's own loopback address
//   (SNIPPET_IP), where a real verifier (@sigil/verify, key SIGIL_KEY_ID /
//   SIGIL_SECRET) answers on 443 (TLS, certificate trusted through
//   NODE_EXTRA_CA_CERTS) and 80. Every other name but loopback fails to
//   resolve, so a snippet can reach nothing else.
// - A server the snippet starts listens on 127.0.0.1 with a free port
//   whatever port it asked for; the harness then sends it a signed and an
//   unsigned POST (over HTTP/2 to a node:http2 server, as api.example.com
//   when it is TLS). A Fetch handler it exports (GET, POST, ...) gets a signed
//   Request.
// - The last stdout line is `SNIPPET-REPORT <json>` with what happened.
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { importKey } from '@sigil/core';
import { createSigningFetch } from '@sigil/fetch';
import { startExampleApi } from './example-api.js';

/** What the test reads back. */
export interface SnippetReport {
  /** Statuses the example.com verifier answered. */
  readonly api: number[];
  /** Per server the snippet started: status of a signed, then an unsigned POST. */
  readonly servers: Array<{ signed: number; unsigned: number }>;
  /** Per exported Fetch handler: status of a signed request. */
  readonly handlers: Array<{ name: string; signed: number }>;
}

const file = process.argv[2]!;
const ip = process.env.SNIPPET_IP!;
const keyId = process.env.SIGIL_KEY_ID!;
const key = importKey(process.env.SIGIL_SECRET!, { encoding: 'base64url' });
const report: SnippetReport = { api: [], servers: [], handlers: [] };

// Names: example.com to our loopback address, loopback names as they are, nothing else.
const lookup = dns.lookup;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/;
dns.lookup = ((host: string, options: unknown, callback?: unknown) => {
  const cb = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
  const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
  if (/(^|\.)example\.com$/i.test(host)) {
    process.nextTick(() => (opts.all ? cb(null, [{ address: ip, family: 4 }]) : cb(null, ip, 4)));
    return;
  }
  if (LOOPBACK.test(host)) return (lookup as (...args: unknown[]) => void)(host, opts, cb);
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host} (snippets reach loopback only)`), { code: 'ENOTFOUND' });
  process.nextTick(() => cb(error));
}) as typeof dns.lookup;
// The same for the promise API (node:dns/promises), then for ES module imports of both.
dns.promises.lookup = ((host: string, options?: unknown) =>
  new Promise<dns.LookupAddress | dns.LookupAddress[]>((resolve, reject) => {
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    (dns.lookup as (...args: unknown[]) => void)(host, opts, (error: Error | null, address: unknown, family?: number) => {
      if (error) reject(error);
      else resolve(opts.all ? (address as dns.LookupAddress[]) : { address: address as string, family: family ?? 4 });
    });
  })) as typeof dns.promises.lookup;
syncBuiltinESMExports();

// The API the snippets call: a real verifier, answering like an application would.
const listen = net.Server.prototype.listen as (this: net.Server, ...args: unknown[]) => net.Server;
await startExampleApi({
  ip,
  keyId,
  secret: process.env.SIGIL_SECRET!,
  tlsKeyFile: process.env.SNIPPET_TLS_KEY!,
  tlsCertFile: process.env.SNIPPET_TLS_CERT!,
  onStatus: (status) => report.api.push(status),
});

// Servers the snippet starts: a free loopback port, whatever it asked for.
const started: net.Server[] = [];
net.Server.prototype.listen = function listenOnLoopback(this: net.Server, ...args: unknown[]) {
  started.push(this);
  const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  return listen.call(this, 0, '127.0.0.1', callback);
} as typeof net.Server.prototype.listen;

const ORDER = JSON.stringify({ item: 'book', qty: 1 });

async function signedRequest(url: string): Promise<Request> {
  let captured: Request | undefined;
  const capture = createSigningFetch({
    keyId,
    secret: key,
    origins: '*',
    fetch: async (target: string, init: RequestInit) => {
      captured = new Request(target, init);
      return new Response(null, { status: 204 });
    },
  });
  await capture(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER });
  return captured!;
}

/** Status of a POST over HTTP/2 (TLS as api.example.com, or h2c) to a server on 127.0.0.1:port, signed or not. */
async function http2Post(port: number, secure: boolean, signed: boolean): Promise<number> {
  const origin = `${secure ? 'https' : 'http'}://api.example.com:${port}`;
  const request = signed ? await signedRequest(`${origin}/orders`) : new Request(`${origin}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER });
  const body = Buffer.from(await request.arrayBuffer());
  const headers: Record<string, string> = { ':method': 'POST', ':path': '/orders' };
  request.headers.forEach((value, name) => {
    if (name !== 'host' && name !== 'connection') headers[name] = value;
  });
  // The certificate (trusted through NODE_EXTRA_CA_CERTS) is checked against api.example.com.
  const session = http2.connect(origin, {
    lookup: ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) =>
      options.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as typeof dns.lookup,
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      session.once('error', reject);
      const stream = session.request(headers);
      stream.once('response', (h) => resolve(Number(h[':status'])));
      stream.once('error', reject);
      stream.resume();
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

async function exercise(): Promise<void> {
  const signedFetch = createSigningFetch({ keyId, secret: key, origins: '*' });
  for (const server of started) {
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address() as AddressInfo;
    // node:http2 servers (createSecureServer, createServer) are spoken to in HTTP/2.
    const kind = server.constructor.name;
    if (kind === 'Http2SecureServer' || kind === 'Http2Server') {
      const secure = kind === 'Http2SecureServer';
      report.servers.push({ signed: await http2Post(address.port, secure, true), unsigned: await http2Post(address.port, secure, false) });
      continue;
    }
    const url = `http://127.0.0.1:${address.port}/orders`;
    const signed = await signedFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER });
    await signed.arrayBuffer();
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ORDER });
    await unsigned.arrayBuffer();
    report.servers.push({ signed: signed.status, unsigned: unsigned.status });
  }
}

try {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  // Let listen() callbacks and microtasks of the snippet run.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await exercise();
  for (const name of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const handler = mod[name];
    if (typeof handler !== 'function') continue;
    const response = (await (handler as (request: Request) => Promise<Response>)(await signedRequest('https://api.example.com/api/orders'))) as Response;
    report.handlers.push({ name, signed: response.status });
  }
} catch (error) {
  const code = (error as { code?: unknown } | undefined)?.code;
  process.stderr.write(`${typeof code === 'string' ? `[${code}] ` : ''}${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.stdout.write(`\nSNIPPET-REPORT ${JSON.stringify(report)}\n`);
  process.exit(1);
}
process.stdout.write(`\nSNIPPET-REPORT ${JSON.stringify(report)}\n`);
// A snippet may leave clients (Redis) and servers open: the reader's program
// would keep running; the test is done.
process.exit(0);
