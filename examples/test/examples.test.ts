// Every example, exercised: started on a free port (or called directly) and
// hit with the signing fetch; then each file run the way its header says.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exportKey, generateKey } from '@sigil/core';
import { createSigningFetch } from '@sigil/fetch';
import { afterAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../client.js';
import { start as startExpress } from '../express.js';
import { start as startFastify } from '../fastify.js';
import { start as startHono } from '../hono.js';
import { POST } from '../next-route.js';
import { start as startNodeHttp } from '../node-http.js';
import type { ExampleOptions, Running } from '../shared.js';

const KEY = { keyId: 'example-client', secret: exportKey(generateKey()) };
const ORDER = { item: 'book', qty: 2 };
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const running: Running[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill();
  await Promise.all(running.map((r) => r.close()));
});

const servers: Array<[string, (options: ExampleOptions) => Promise<Running>]> = [
  ['node-http', startNodeHttp],
  ['express', startExpress],
  ['fastify', startFastify],
  ['hono', startHono],
];

describe.each(servers)('examples/%s.ts', (_name, start) => {
  it('accepts a signed POST /orders, then refuses its replay and an unsigned request', async () => {
    const server = await start({ ...KEY, port: 0 });
    running.push(server);
    const recorded: Array<[string, RequestInit]> = [];
    const signedFetch = createSigningFetch({
      keyId: KEY.keyId,
      secret: KEY.secret,
      secretEncoding: 'base64url',
      origins: [server.url],
      fetch: (url: string, init: RequestInit) => (recorded.push([url, init]), fetch(url, init)),
    });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ORDER) };
    const accepted = await signedFetch(`${server.url}/orders`, init);
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toEqual({ keyId: KEY.keyId, order: ORDER });

    const replay = await fetch(...recorded[0]!);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: 'nonce_replayed' });
    const unsigned = await fetch(`${server.url}/orders`, init);
    expect(await unsigned.json()).toEqual({ error: 'signature_missing' });
  });
});

describe('examples/client.ts', () => {
  it('places an order with a signed request, and reports a refusal with the server code', async () => {
    const server = await startNodeHttp({ ...KEY, port: 0 });
    running.push(server);
    expect(await placeOrder(server.url, ORDER, KEY)).toEqual({ keyId: KEY.keyId, order: ORDER });
    const wrong = { ...KEY, secret: exportKey(generateKey()) };
    await expect(placeOrder(server.url, ORDER, wrong)).rejects.toThrow('the server refused the order: 401 signature_invalid');
  });
});

describe('examples/next-route.ts', () => {
  it('POST(request) verifies a signed Request and answers 201; unsigned and plain-http Requests are refused', async () => {
    process.env.SIGIL_KEY_ID = KEY.keyId;
    process.env.SIGIL_SECRET = KEY.secret;
    const signedFetch = createSigningFetch({
      keyId: KEY.keyId,
      secret: KEY.secret,
      secretEncoding: 'base64url',
      origins: ['https://shop.example'],
      fetch: (url: string, init: RequestInit) => POST(new Request(url, init)),
    });
    const response = await signedFetch('https://shop.example/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ORDER) });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ keyId: KEY.keyId, order: ORDER });
    const unsigned = await POST(new Request('https://shop.example/api/orders', { method: 'POST', body: '{}' }));
    expect([unsigned.status, await unsigned.json()]).toEqual([401, { error: 'signature_missing' }]);
    const plain = await POST(new Request('http://shop.example/api/orders', { method: 'POST', body: '{}' }));
    expect([plain.status, await plain.json()]).toEqual([403, { error: 'insecure_transport' }]);
  });
});

/** Runs `node --import tsx examples/<file>` and resolves with the first stdout line matching `until`. */
function runExample(file: string, args: string[], until: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', PORT: '0', SIGIL_KEY_ID: KEY.keyId, SIGIL_SECRET: KEY.secret },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = until.exec(out);
      if (match) resolve(match);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`examples/${file} exited ${code} before printing ${until}: ${out}${err}`)));
  });
}

describe('each example runs directly, as its header says', () => {
  it('servers listen and take an order; client.ts and next-route.ts print the receipt', async () => {
    const urls = await Promise.all(
      ['node-http.ts', 'express.ts', 'fastify.ts', 'hono.ts'].map(async (file) => (await runExample(file, [], /listening on (\S+)/))[1]!),
    );
    for (const url of urls) expect(await placeOrder(url, ORDER, KEY)).toEqual({ keyId: KEY.keyId, order: ORDER });
    const [client, next] = await Promise.all([
      runExample('client.ts', [urls[0]!], /^(\{.*\})$/m),
      runExample('next-route.ts', [], /^201 (\{.*\})$/m),
    ]);
    expect(JSON.parse(client[1]!)).toEqual({ keyId: KEY.keyId, order: { item: 'book', qty: 1 } });
    expect(JSON.parse(next[1]!)).toEqual({ keyId: KEY.keyId, order: { item: 'book' } });
  }, 30_000);
});
