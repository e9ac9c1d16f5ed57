// Attack: oversize headers and bodies, meant to exhaust memory. Node refuses
// a header block over its 16 KiB limit (431) before any Sigil code runs; the
// parser refuses an overlong signature value from its length; and a body
// over maxBodyBytes is cut off while arriving: the server stops reading,
// answers 413 and closes, so it never reads the upload whole. Bytes are
// counted on the server's own sockets.
import { connect, type Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { signRequest } from '@sigil/core';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilHono } from '@sigil/verify/hono';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, KEY_ID, KEYS } from '../../../../tests/security/helpers/keys.js';
import { closeAll, startStack, type Stack } from '../../../../tests/security/helpers/stack.js';

const CAP = 64 * 1024;
const UPLOAD = 64 * 1024 * 1024;

interface Target {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** Bytes the server read from each connection, recorded when it closes. */
  readonly read: number[];
}

function counted(name: string, server: Server, port: number): Target {
  const read: number[] = [];
  server.on('connection', (socket: Socket) => socket.on('close', () => read.push(socket.bytesRead)));
  return { name, server, port, read };
}

let node: Stack;
const targets: Target[] = [];

beforeAll(async () => {
  node = await startStack({ verifier: { maxBodyBytes: CAP } });
  targets.push(counted('node adapter', node.server, Number(new URL(node.origin).port)));
  const app = new Hono();
  app.use('*', sigilHono(createVerifier({ keys: KEYS, nonceStore: new MemoryNonceStore(), maxBodyBytes: CAP })));
  app.all('*', (c) => c.text('ok'));
  const hono = await new Promise<{ server: Server; port: number }>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server: server as Server, port: info.port }));
  });
  targets.push(counted('fetch/hono adapter', hono.server, hono.port));
});
afterAll(async () => {
  await closeAll();
  for (const t of targets) t.server.closeAllConnections();
  await Promise.all(targets.map((t) => new Promise((resolve) => t.server.close(resolve))));
});

/** A head that passes every check before the body (parse, window, key). */
function signedHead(port: number, extra: Record<string, string>): string {
  const host = `127.0.0.1:${port}`;
  const { header } = signRequest({ method: 'POST', target: '/upload', headers: [['host', host]], body: null }, KEY, {
    keyId: KEY_ID,
    timestamp: Math.floor(Date.now() / 1000),
  });
  const headers = { host, 'sigil-signature': header, ...extra };
  return `POST /upload HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/**
 * Writes `head`, then streams up to UPLOAD bytes of body as fast as the
 * socket takes them, until the server answers or closes. Resolves the
 * status line and how many body bytes the client managed to hand over.
 */
function upload(port: number, head: string, body: 'none' | 'raw' | 'chunked'): Promise<{ status: string; offered: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const framed = body === 'chunked' ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    let offered = 0;
    let answer = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ status: answer.split('\r\n')[0] ?? '', offered });
    };
    const pump = () => {
      while (!done && body !== 'none' && offered < UPLOAD) {
        offered += piece.length;
        if (!socket.write(framed)) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) finish();
    });
    socket.on('error', (error) => (answer ? finish() : reject(error)));
    socket.on('close', finish);
  });
}

describe('attack: oversize body', () => {
  it.each([0, 1])('a declared Content-Length over the cap is refused before any body is read (%#)', async (i) => {
    const t = targets[i]!;
    const before = t.read.length;
    const { status, offered } = await upload(t.port, signedHead(t.port, { 'content-length': String(UPLOAD) }), 'raw');
    expect(status, t.name).toMatch(/^HTTP\/1\.1 413 /);
    expect(offered).toBeLessThan(UPLOAD);
    await expect.poll(() => t.read.length).toBeGreaterThan(before);
    expect(t.read.at(-1)!, `${t.name} read`).toBeLessThan(8 * CAP);
  });

  it.each([0, 1])('a chunked body with no length is cut off soon after the cap, never read whole (%#)', async (i) => {
    const t = targets[i]!;
    const before = t.read.length;
    const { status, offered } = await upload(t.port, signedHead(t.port, { 'transfer-encoding': 'chunked' }), 'chunked');
    expect(status, t.name).toMatch(/^HTTP\/1\.1 413 /);
    expect(offered).toBeLessThan(UPLOAD);
    await expect.poll(() => t.read.length).toBeGreaterThan(before);
    expect(t.read.at(-1)!, `${t.name} read`).toBeLessThan(8 * CAP);
  });
});

describe('attack: oversize header', () => {
  it('a header block over 16 KiB is answered 431 by Node before the verifier runs', async () => {
    const t = targets[0]!;
    const events = node.events.length;
    const { status } = await upload(t.port, signedHead(t.port, { 'x-pad': 'a'.repeat(64 * 1024), 'content-length': '0' }), 'none');
    expect(status).toMatch(/^HTTP\/1\.1 431 /);
    expect(node.events.length).toBe(events);
  });

  it('a 1 MiB Sigil-Signature value is refused the same way, unparsed', async () => {
    const t = targets[0]!;
    const { status } = await upload(t.port, signedHead(t.port, { 'content-length': '0' }).replace(/sigil-signature: [^\r]+/, `sigil-signature: v=1;${'a'.repeat(1 << 20)}`), 'none');
    expect(status).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('a signature value under the block limit but over 4096 characters is refused by the parser (401)', async () => {
    const t = targets[0]!;
    const head = signedHead(t.port, { 'content-length': '0' }).replace(/(sigil-signature: [^\r]+)/, `$1;${'x'.repeat(6000)}`);
    const { status } = await upload(t.port, head, 'none');
    expect(status).toMatch(/^HTTP\/1\.1 401 /);
    expect(node.events.at(-1)).toMatchObject({ code: 'signature_header_malformed' });
  });
});
