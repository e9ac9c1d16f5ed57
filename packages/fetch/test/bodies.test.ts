import { importKey } from '@sigil/core';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_BYTES, startServer, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);
const enc = new TextEncoder();
let server: TestServer;

beforeAll(async () => {
  server = await startServer(key);
});
afterAll(() => server.close());

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(enc.encode(part));
      controller.close();
    },
  });
}

/** Each case: the init to send and the bytes the server must receive. */
const cases: Array<{ title: string; init: () => RequestInit & { duplex?: 'half' }; bytes: () => Uint8Array; type: string | undefined }> = [
  { title: 'string', init: () => ({ method: 'POST', body: 'héllo' }), bytes: () => enc.encode('héllo'), type: 'text/plain;charset=UTF-8' },
  {
    title: 'Uint8Array (binary, every byte value)',
    init: () => ({ method: 'PUT', body: Uint8Array.from({ length: 256 }, (_, i) => i) }),
    bytes: () => Uint8Array.from({ length: 256 }, (_, i) => i),
    type: undefined,
  },
  { title: 'ArrayBuffer', init: () => ({ method: 'POST', body: enc.encode('ab').buffer }), bytes: () => enc.encode('ab'), type: undefined },
  {
    title: 'DataView over part of a buffer',
    init: () => ({ method: 'POST', body: new DataView(enc.encode('xxpartyy').buffer, 2, 4) }),
    bytes: () => enc.encode('part'),
    type: undefined,
  },
  {
    title: 'URLSearchParams',
    init: () => ({ method: 'POST', body: new URLSearchParams([['a', '1 2'], ['a', 'é']]) }),
    bytes: () => enc.encode('a=1+2&a=%C3%A9'),
    type: 'application/x-www-form-urlencoded;charset=UTF-8',
  },
  {
    title: 'Blob with a type',
    init: () => ({ method: 'POST', body: new Blob(['{"a":1}'], { type: 'application/json' }) }),
    bytes: () => enc.encode('{"a":1}'),
    type: 'application/json',
  },
  {
    title: 'ReadableStream (duplex half)',
    init: () => ({ method: 'POST', body: streamOf('chunk-1,', 'chunk-2'), duplex: 'half' }),
    bytes: () => enc.encode('chunk-1,chunk-2'),
    type: undefined,
  },
  {
    title: 'caller content-type wins over the body default',
    init: () => ({ method: 'POST', body: '{"x":1}', headers: { 'Content-Type': 'application/json' } }),
    bytes: () => enc.encode('{"x":1}'),
    type: 'application/json',
  },
  { title: 'empty string body', init: () => ({ method: 'POST', body: '' }), bytes: () => new Uint8Array(0), type: 'text/plain;charset=UTF-8' },
  { title: 'GET without body', init: () => ({}), bytes: () => new Uint8Array(0), type: undefined },
  { title: 'HEAD', init: () => ({ method: 'HEAD' }), bytes: () => new Uint8Array(0), type: undefined },
];

const fetches: Array<[string, FetchLike | undefined]> = [
  ['global fetch', undefined],
  ['undici fetch', undiciFetch],
];

describe.each(fetches)('bodies through %s', (_name, baseFetch) => {
  const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, ...(baseFetch ? { fetch: baseFetch } : {}), origins: '*' });

  it.each(cases)('$title: signed over the exact bytes sent', async ({ init, bytes, type }) => {
    const before = server.seen.length;
    const res = await signedFetch(`${server.origin}/upload?x=1&x=2`, init());
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const seen = server.seen[before]!;
    expect(seen.verified?.ok, JSON.stringify(seen.verified)).toBe(true);
    expect(seen.body).toEqual(bytes());
    expect(seen.header('content-type')).toBe(type);
    const signedNames = seen.params!.headers;
    expect(signedNames.includes('content-type')).toBe(type !== undefined);
    expect(signedNames).toContain('host');
  });

  it('FormData: serialised once, the boundary sent is the one signed', async () => {
    const form = new FormData();
    form.append('name', 'sigil');
    form.append('file', new File([Uint8Array.of(0, 1, 2, 255)], 'a.bin', { type: 'application/octet-stream' }));
    const before = server.seen.length;
    const res = await signedFetch(`${server.origin}/form`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const seen = server.seen[before]!;
    expect(seen.verified?.ok).toBe(true);
    const type = seen.header('content-type')!;
    const boundary = /boundary=(.+)$/.exec(type)![1]!;
    expect(type.startsWith('multipart/form-data; boundary=')).toBe(true);
    expect(seen.params!.headers).toContain('content-type');
    const text = Buffer.from(seen.body).toString('latin1');
    expect(text).toContain(`--${boundary}\r\n`);
    expect(text).toContain('filename="a.bin"');
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
    // The server parses what it got with the boundary it was told.
    const parsed = await new Response(seen.body, { headers: { 'content-type': type } }).formData();
    expect(parsed.get('name')).toBe('sigil');
    expect(new Uint8Array(await (parsed.get('file') as File).arrayBuffer())).toEqual(Uint8Array.of(0, 1, 2, 255));
  });

  it('a Request object with a body, its headers and method', async () => {
    const request = new Request(`${server.origin}/req?q=%20a`, {
      method: 'PATCH',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json', 'x-trace': 'abc' },
    });
    const signed = createSigningFetch({ keyId: 'client-1', secret: key, signedHeaders: ['X-Trace'], ...(baseFetch ? { fetch: baseFetch } : {}), origins: '*' });
    const before = server.seen.length;
    const res = await signed(request);
    expect(res.status).toBe(200);
    const seen = server.seen[before]!;
    expect(seen.method).toBe('PATCH');
    expect(seen.url).toBe('/req?q=%20a');
    expect(seen.verified?.ok).toBe(true);
    expect(seen.params!.headers).toEqual(['content-type', 'host', 'x-trace']);
    expect(Buffer.from(seen.body).toString()).toBe('{"a":1}');
    expect(request.bodyUsed).toBe(true);
  });

  it('init overrides a Request, as with fetch', async () => {
    const request = new Request(`${server.origin}/override`, { method: 'POST', body: 'old' });
    const before = server.seen.length;
    await signedFetch(request, { method: 'PUT', body: 'new' });
    const seen = server.seen[before]!;
    expect([seen.method, Buffer.from(seen.body).toString(), seen.verified?.ok]).toEqual(['PUT', 'new', true]);
  });

  it('the method is signed as fetch normalises it', async () => {
    const before = server.seen.length;
    await signedFetch(`${server.origin}/m`, { method: 'post', body: 'x' });
    const seen = server.seen[before]!;
    expect(seen.method).toBe('POST');
    expect(seen.verified?.ok).toBe(true);
  });

  it('the target is the path and query actually sent (percent-encoded, no fragment)', async () => {
    const before = server.seen.length;
    await signedFetch(`${server.origin}/a b/ü?q=ü &r#frag`);
    const seen = server.seen[before]!;
    expect(seen.url).toBe('/a%20b/%C3%BC?q=%C3%BC%20&r');
    expect(seen.verified?.ok).toBe(true);
  });

  it('replaces a caller-supplied Sigil-Signature header', async () => {
    const before = server.seen.length;
    await signedFetch(`${server.origin}/s`, { headers: { 'sigil-signature': 'v=1;forged' } });
    const seen = server.seen[before]!;
    expect(seen.headers.filter(([n]) => n.toLowerCase() === 'sigil-signature')).toHaveLength(1);
    expect(seen.verified?.ok).toBe(true);
  });
});

describe('body limits', () => {
  it('a stream past maxBodyBytes fails with body_too_large, reads no further and sends nothing', async () => {
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, maxBodyBytes: 4096, origins: '*' });
    const before = server.seen.length;
    await expect(signedFetch(`${server.origin}/big`, { method: 'POST', body: endless, duplex: 'half' } as RequestInit)).rejects.toMatchObject({
      name: 'SigilError',
      code: 'body_too_large',
    });
    expect(pulls).toBeLessThan(10);
    expect(server.seen.length).toBe(before);
  });

  it('a body exactly at the limit is sent', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, maxBodyBytes: 16, origins: '*' });
    const res = await signedFetch(`${server.origin}/edge`, { method: 'POST', body: new Uint8Array(16) });
    expect(res.status).toBe(200);
  });

  it('a stream yielding non-bytes fails with body_unsupported', async () => {
    const bad = new ReadableStream({
      start(controller) {
        controller.enqueue('text' as unknown as Uint8Array);
        controller.close();
      },
    });
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    await expect(signedFetch(`${server.origin}/bad`, { method: 'POST', body: bad, duplex: 'half' } as RequestInit)).rejects.toMatchObject({
      code: 'body_unsupported',
    });
  });

  it('a stream body without duplex is refused exactly as fetch refuses it', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    await expect(signedFetch(`${server.origin}/x`, { method: 'POST', body: streamOf('a') })).rejects.toThrow(TypeError);
  });
});
