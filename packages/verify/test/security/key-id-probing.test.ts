// Attack: probing which key ids exist. An attacker without any secret sends
// requests under guessed key ids and compares the answers with those to a
// known id under a wrong secret: the status and body, every header, when the
// answer comes (before or after the body), and whether the connection stays
// open. On every adapter, over raw sockets, an unknown key id must read
// exactly like a bad MAC, with the body sent whole, withheld for a while,
// and declared over the limit.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { HttpBindings } from '@hono/node-server';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type Verifier, type VerifierEvent } from '../../src/index.js';
import { sigilExpress } from '../../src/adapters/express/index.js';
import { sigilFastify } from '../../src/adapters/fastify/index.js';
import { sigilFetchHandler } from '../../src/adapters/fetch/index.js';
import { sigilHono } from '../../src/adapters/hono/index.js';
import { sigilListener } from '../../src/adapters/node/index.js';
import type { Req, Res } from '../helpers/express-types.js';
import { close, listen, serveFetch as serveFetchApp } from '../helpers/servers.js';
import { KEY, KEY_ID, OTHER_KEY, signedHeaders } from '../helpers/sign.js';

const MAX = 1024;
const events: VerifierEvent[] = [];
const verifier = (): Verifier =>
  createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), maxBodyBytes: MAX, onEvent: (e) => void events.push(e) });

const servers: Server[] = [];
let fastify: FastifyInstance;
const hosts: Record<string, string> = {};

/** Serves a Fetch handler; its server is closed after the tests. */
const serveFetch = async (fetch: Parameters<typeof serveFetchApp>[0]): Promise<string> =>
  serveFetchApp(fetch).then(({ server, host }) => (servers.push(server), host));

beforeAll(async () => {
  const node = createServer(sigilListener(verifier(), (_req, res) => void res.end('ok')));
  servers.push(node);
  hosts.node = await listen(node);

  const app = express();
  app.use(sigilExpress(verifier()));
  app.use((_req: Req, res: Res) => void res.json({ ok: true }));
  const expressServer = createServer(app);
  servers.push(expressServer);
  hosts.express = await listen(expressServer);

  fastify = Fastify();
  await fastify.register(sigilFastify, { verifier: verifier() });
  fastify.all('/*', async () => ({ ok: true }));
  const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
  hosts.fastify = address.replace('http://', '');

  const hono = new Hono();
  hono.use('*', sigilHono(verifier()));
  hono.all('*', (c) => c.text('ok'));
  hosts.hono = await serveFetch(hono.fetch);

  hosts.fetch = await serveFetch(
    sigilFetchHandler<[HttpBindings]>(verifier(), () => new Response('ok'), {
      connection: (_req, env) => ({ remoteAddress: env.incoming.socket.remoteAddress }),
    }),
  );
});
afterAll(async () => {
  await Promise.all(servers.map((s) => close(s)));
  await fastify.close();
});

/** One raw HTTP/1.1 connection, reading whole responses (Content-Length or chunked) in order. */
class Connection {
  #data = '';
  #closed = false;
  #wake: (() => void) | undefined;
  readonly socket: Socket;

  constructor(host: string) {
    const [hostname, port] = host.split(':') as [string, string];
    this.socket = connect(Number(port), hostname);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => ((this.#data += chunk), this.#wake?.()));
    this.socket.on('close', () => ((this.#closed = true), this.#wake?.()));
    this.socket.on('error', () => undefined);
  }

  get received(): number {
    return this.#data.length;
  }

  #complete(): number {
    const end = this.#data.indexOf('\r\n\r\n');
    if (end < 0) return -1;
    const head = this.#data.slice(0, end).toLowerCase();
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length) return this.#data.length >= end + 4 + Number(length[1]) ? end + 4 + Number(length[1]) : -1;
    if (/\r\ntransfer-encoding: *chunked/.test(head)) {
      const last = this.#data.indexOf('\r\n0\r\n\r\n', end);
      return last < 0 ? -1 : last + 7;
    }
    return end + 4;
  }

  /** The next whole response, or undefined when the server closed the connection first. */
  async response(): Promise<string | undefined> {
    for (;;) {
      const at = this.#complete();
      if (at >= 0) {
        const text = this.#data.slice(0, at);
        this.#data = this.#data.slice(at);
        return text;
      }
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Waits for `ms`: used only to see whether the server answers before the body is complete. */
  async idle(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** A POST signed under `keyId` with the wrong secret, as head and body. */
function probe(host: string, keyId: string, body: string, extra: Record<string, string> = {}): { head: string; body: string } {
  const headers = signedHeaders({
    method: 'POST',
    target: '/orders',
    host,
    body,
    key: OTHER_KEY,
    headers: { 'content-type': 'application/json' },
    options: { keyId },
  });
  const all = { ...headers, 'content-length': String(Buffer.byteLength(body)), ...extra };
  return { head: `POST /orders HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, body };
}

/** What an observer sees: the response bytes without Date, and whether the connection stayed open for a second request. */
interface Face {
  readonly answeredBeforeBody: boolean;
  readonly response: string | undefined;
  readonly keptAlive: boolean;
}

async function observe(host: string, keyId: string, mode: 'whole' | 'withheld' | 'declared-over-limit'): Promise<Face> {
  const conn = new Connection(host);
  const body = '{"sku":"A-1","qty":2}';
  let answeredBeforeBody = false;
  if (mode === 'declared-over-limit') {
    const { head } = probe(host, keyId, body, { 'content-length': String(MAX * 64) });
    conn.socket.write(head + body);
  } else if (mode === 'whole') {
    const request = probe(host, keyId, body);
    conn.socket.write(request.head + request.body);
  } else {
    const request = probe(host, keyId, body);
    conn.socket.write(request.head + request.body.slice(0, 5));
    await conn.idle(250);
    answeredBeforeBody = conn.received > 0;
    conn.socket.write(request.body.slice(5));
  }
  const response = (await conn.response())?.replace(/\r\ndate: [^\r]*/i, '');
  // A second request on the same connection: answered only if it stayed open.
  conn.socket.write(`GET /second HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
  const keptAlive = (await conn.response()) !== undefined;
  conn.socket.destroy();
  return { answeredBeforeBody, response, keptAlive };
}

const ADAPTERS = ['node', 'express', 'fastify', 'hono', 'fetch'] as const;

describe('attacker probes which key ids exist', () => {
  describe.each(ADAPTERS)('%s adapter', (adapter) => {
    it.each(['whole', 'withheld', 'declared-over-limit'] as const)(
      'an unknown key id reads byte for byte like a bad MAC, connection included (body %s)',
      async (mode) => {
        events.length = 0;
        const unknown = await observe(hosts[adapter]!, 'nobody', mode);
        const badMac = await observe(hosts[adapter]!, KEY_ID, mode);
        expect(unknown).toEqual(badMac);
        expect(unknown.answeredBeforeBody).toBe(false);
        expect(unknown.response).toMatch(mode === 'declared-over-limit' ? /^HTTP\/1\.1 413 / : /^HTTP\/1\.1 401 /);
        // Only the audit trail tells them apart.
        const codes = events.filter((e) => e.keyId !== undefined).map((e) => e.code);
        expect(codes).toEqual(mode === 'declared-over-limit' ? ['body_too_large', 'body_too_large'] : ['key_unknown', 'signature_invalid']);
      },
    );
  });
});
