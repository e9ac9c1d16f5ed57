// The client side of response signatures over a real socket: a loopback
// node:http server in this process answers each request with the scenario's
// body as the response body, signed (v1 or RFC 9421, bound to the request)
// when the request is signed. The rows are the unsigned fetch (the baseline
// the others are read against: their ratios divided by its ratio), the
// signing fetch and interceptor with the signed response not verified, and
// the same with verifyResponses. "verifyResponses / not verified" is the
// client's cost of verifying (body buffered, SHA-256 or Content-Digest,
// MAC); "verifyResponses / unsigned fetch" the whole cost of both
// signatures with the server's signing included. All in the same run.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importKey, isSigilError, parseSignatureHeader, signResponse, type SigilKey } from '@sigil/core';
import { rfc9421Key, signRfc9421Response, type Rfc9421Request } from '@sigil/core/rfc9421';
import { createSigningFetch, signingInterceptor, type SigningScheme } from '@sigil/fetch';
import { Agent, fetch as undiciFetch, request } from 'undici';
import type { Row, RowFactory } from '../harness.js';
import { KEY_ID, SECRET, type Scenario } from '../scenarios.js';

/** Large enough for the 16 MiB scenario's response. */
const MAX_BODY = 32 * 1024 * 1024;

interface Loopback {
  readonly origin: string;
  readonly agent: Agent;
  readonly key: SigilKey;
}

/** Signs `body` as the answer to `req`, with the request's own scheme; unsigned when the request is. */
function answer(req: IncomingMessage, res: ServerResponse, key: SigilKey, body: Buffer, tampered: boolean): void {
  const headers: Array<[string, string]> = [['content-type', 'application/json']];
  const signedBody = tampered ? Buffer.from('{}') : body;
  const now = Math.floor(Date.now() / 1000);
  const v1 = req.headers['sigil-signature'];
  if (typeof v1 === 'string') {
    const { header } = signResponse({ status: 200, headers, body: signedBody }, key, { request: parseSignatureHeader(v1), keyId: KEY_ID, timestamp: now });
    headers.push(['sigil-response-signature', header]);
  } else if (typeof req.headers['signature-input'] === 'string') {
    const lines: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
    const received: Rfc9421Request = { method: req.method!, scheme: 'http', target: req.url!, headers: lines };
    const signed = signRfc9421Response({ status: 200, headers, body: signedBody }, received, rfc9421Key(key), { keyid: KEY_ID, created: now });
    if (signed.contentDigest) headers.push(['content-digest', signed.contentDigest]);
    headers.push(['signature-input', signed.signatureInput], ['signature', signed.signature]);
  }
  res.writeHead(200, headers.flat()).end(body);
}

let started: Promise<Loopback> | undefined;

/** One server and one keep-alive Agent per worker (scenario), neither keeping the process alive. */
function loopback(s: Scenario): Promise<Loopback> {
  started ??= (async () => {
    const key = importKey(SECRET);
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(req, res, key, s.body, req.url === '/tampered'));
    });
    // Idle sockets are closed by the client (undici: 4 s) before the server
    // would (here 2 min), so a row resuming after a pause never meets a
    // socket the server is closing.
    server.keepAliveTimeout = 120_000;
    server.on('connection', (socket) => socket.unref());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent: new Agent({ connections: 4 }), key };
  })();
  return started;
}

type Call = (path: string) => Promise<number>;

/** A row around `call`: checked for a 200 with the whole body, and (verifying) for refusing a tampered answer. */
function row(name: string, group: Row['group'], note: string, s: Scenario, call: Call, verifies: boolean): Row {
  return {
    name,
    group,
    note,
    async: true,
    async check() {
      if ((await call('/')) !== s.body.length) throw new Error(`${name}: the response body did not arrive whole`);
      if (!verifies) return;
      const refused = await call('/tampered').then(
        () => false,
        (error: unknown) => isSigilError(error),
      );
      if (!refused) throw new Error(`${name}: a tampered response was not refused`);
    },
    op: () => call('/'),
  };
}

function fetchCall(l: Loopback, scheme: SigningScheme | undefined, verify: boolean): Call {
  const send = (url: string, init: object) => undiciFetch(url, { ...init, dispatcher: l.agent });
  const signed =
    scheme === undefined
      ? (url: string) => send(url, {})
      : createSigningFetch({ keyId: KEY_ID, secret: l.key, origins: [l.origin], scheme, fetch: send, maxBodyBytes: MAX_BODY, ...(verify ? { verifyResponses: true } : {}) });
  return async (path) => (await (await signed(l.origin + path)).arrayBuffer()).byteLength;
}

function interceptorCall(l: Loopback, verify: boolean): Call {
  const dispatcher = l.agent.compose(signingInterceptor({ keyId: KEY_ID, secret: l.key, origins: [l.origin], maxBodyBytes: MAX_BODY, ...(verify ? { verifyResponses: true } : {}) }));
  return async (path) => (await (await request(l.origin + path, { dispatcher })).body.arrayBuffer()).byteLength;
}

const ROW_NOTE = 'loopback GET, the scenario body as the response';

const unsignedRow: RowFactory = async (s) =>
  row('fetch unsigned (loopback)', 'reference', `${ROW_NOTE}; baseline of the client response rows`, s, fetchCall(await loopback(s), undefined, false), false);

const notVerifiedRow: RowFactory = async (s) =>
  row('signing fetch, response not verified', 'sigil', `${ROW_NOTE}, signed (v1) by the server, not checked`, s, fetchCall(await loopback(s), 'v1', false), false);

const verifiedRow: RowFactory = async (s) =>
  row('signing fetch + verifyResponses', 'sigil', `${ROW_NOTE}, v1 response verified; compare with the row above`, s, fetchCall(await loopback(s), 'v1', true), true);

const notVerifiedRfc9421Row: RowFactory = async (s) =>
  row('signing fetch (RFC 9421), response not verified', 'sigil', `${ROW_NOTE}, signed (RFC 9421) by the server, not checked`, s, fetchCall(await loopback(s), 'rfc9421', false), false);

const verifiedRfc9421Row: RowFactory = async (s) =>
  row('signing fetch + verifyResponses (RFC 9421)', 'sigil', `${ROW_NOTE}, RFC 9421 response (Content-Digest, req) verified; compare with the row above`, s, fetchCall(await loopback(s), 'rfc9421', true), true);

const interceptorRow: RowFactory = async (s) =>
  row('interceptor, response not verified', 'sigil', `undici.request, ${ROW_NOTE}, signed (v1), not checked`, s, interceptorCall(await loopback(s), false), false);

const interceptorVerifiedRow: RowFactory = async (s) =>
  row('interceptor + verifyResponses', 'sigil', `undici.request, ${ROW_NOTE}, v1 response buffered and verified`, s, interceptorCall(await loopback(s), true), true);

/** The client response rows, in print order, after the core response rows. */
export const SIGIL_CLIENT_RESPONSE_ROWS: readonly RowFactory[] = [
  unsignedRow,
  notVerifiedRow,
  verifiedRow,
  notVerifiedRfc9421Row,
  verifiedRfc9421Row,
  interceptorRow,
  interceptorVerifiedRow,
];
