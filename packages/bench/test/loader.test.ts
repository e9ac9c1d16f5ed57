// The end-to-end load generator against a real node:http server on
// 127.0.0.1: every prebuilt request arrives once, whole, in order of
// taking; statuses are counted; Content-Length and chunked answers are
// framed, and one it cannot frame fails the run.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadProtocolError, responseReader, runLoad, serialise, type LoadFile } from '../src/e2e/loader.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer({ keepAliveTimeout: 30_000 }, handler);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port)));
}

const file = (n: number): LoadFile => ({
  method: 'POST',
  path: '/v1/things?a=1',
  body: 'x'.repeat(1000) + 'é',
  headers: Array.from({ length: n }, (_, i) => ({ 'content-type': 'text/plain', 'x-id': String(i) })),
});

describe('runLoad', () => {
  it('sends every request once, whole, and counts non-2xx answers', async () => {
    const seen: string[] = [];
    const port = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const id = req.headers['x-id'] as string;
        seen.push(`${req.method} ${req.url} ${req.headers.host} ${req.headers['content-length']} ${body === file(0).body} ${id}`);
        // 401 for every tenth; a long answer for every seventh, split over several reads;
        // Content-Length for odd ids, chunked (Node's default after writeHead) for even ones.
        const answer = Number(id) % 7 === 0 ? 'y'.repeat(200_000) : 'ok';
        const length: Record<string, number> = Number(id) % 2 ? { 'content-length': answer.length } : {};
        res.writeHead(Number(id) % 10 === 0 ? 401 : 200, { 'content-type': 'text/plain', ...length });
        res.write(answer.slice(0, 1));
        res.end(answer.slice(1));
      });
    });
    const load = file(500);
    const summary = await runLoad({ port, requests: serialise(load, `127.0.0.1:${port}`), connections: 8 });
    expect(summary).toMatchObject({ requests: 500, non2xx: 50, errors: 0, timeouts: 0 });
    expect(summary.latencyP99).toBeGreaterThanOrEqual(summary.latencyP50);
    expect(summary.requestsPerSec).toBeGreaterThan(0);
    const bytes = Buffer.byteLength(load.body);
    expect(seen.sort()).toEqual(
      Array.from({ length: 500 }, (_, i) => `POST /v1/things?a=1 127.0.0.1:${port} ${bytes} true ${i}`).sort(),
    );
  });

  it('refuses an answer it cannot frame (close-delimited) instead of miscounting', async () => {
    const raw = createNetServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\n\r\nuntil close')));
    const port = await new Promise<number>((resolve) => raw.listen(0, '127.0.0.1', () => resolve((raw.address() as AddressInfo).port)));
    try {
      await expect(runLoad({ port, requests: serialise(file(3), `127.0.0.1:${port}`), connections: 1 })).rejects.toThrow(LoadProtocolError);
    } finally {
      raw.close();
    }
  });

  it('counts a request past its deadline as a timeout and carries on over the other connections', async () => {
    const port = await listen((req, res) => {
      req.resume().on('end', () => {
        if (req.headers['x-id'] !== '1') res.writeHead(200, { 'content-length': 2 }).end('ok');
      });
    });
    const summary = await runLoad({ port, requests: serialise(file(20), `127.0.0.1:${port}`), connections: 2, timeoutMs: 300 });
    expect(summary).toMatchObject({ requests: 19, timeouts: 1, non2xx: 0 });
  });

  it('fails when the server drops a connection with a request unanswered', async () => {
    const port = await listen((req) => req.socket.destroy());
    await expect(runLoad({ port, requests: serialise(file(2), `127.0.0.1:${port}`), connections: 1 })).rejects.toThrow(/unanswered/);
  });
});

describe('serialise and responseReader', () => {
  it('keeps a given Content-Length and refuses a wrong one or a header with a line break', () => {
    const body = 'abc';
    const [one] = serialise({ method: 'PUT', path: '/p', body, headers: [{ 'Content-Length': '3' }] }, 'h:1');
    expect(one!.toString()).toBe('PUT /p HTTP/1.1\r\nContent-Length: 3\r\nHost: h:1\r\n\r\nabc');
    // A signed request's own Host is kept, and not doubled.
    const [signed] = serialise({ method: 'PUT', path: '/p', body, headers: [{ host: 'api.example' }] }, 'h:1');
    expect(signed!.toString()).toBe('PUT /p HTTP/1.1\r\nhost: api.example\r\nContent-Length: 3\r\n\r\nabc');
    expect(() => serialise({ method: 'PUT', path: '/p', body, headers: [{ 'content-length': '4' }] }, 'h')).toThrow(LoadProtocolError);
    expect(() => serialise({ method: 'PUT', path: '/p', body, headers: [{ 'x-a': 'b\r\nx-evil: 1' }] }, 'h')).toThrow(LoadProtocolError);
  });

  it('frames responses split at every byte boundary', () => {
    const wire = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' +
        'HTTP/1.1 503 Busy\r\ncontent-length:0\r\n\r\n' +
        'HTTP/1.1 204 Chunked\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nx-trailer: 1\r\n\r\n' +
        'HTTP/1.1 401 No\r\nContent-Length: 3\r\n\r\nnay',
    );
    for (let cut = 1; cut < wire.length; cut++) {
      const statuses: number[] = [];
      const read = responseReader((status) => statuses.push(status));
      read(wire.subarray(0, cut));
      read(wire.subarray(cut));
      expect(statuses).toEqual([200, 503, 204, 401]);
    }
    const bad = ['HTTP/1.1 200 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', 'SSH-2.0\r\n\r\n'];
    for (const wire of bad) expect(() => responseReader(() => {})(Buffer.from(wire))).toThrow(LoadProtocolError);
  });
});
