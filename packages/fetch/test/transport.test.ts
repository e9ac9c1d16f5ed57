import { generateKey, importKey } from '@sigil/core';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, recordingFetch, SECRET_BYTES, startServer, type TestServer } from './helpers.js';

const key = importKey(SECRET_BYTES);

describe('transport policy (nothing is sent when refused)', () => {
  const refused = ['http://api.example.com/x', 'http://10.0.0.1/x', 'http://127.0.0.1.example.com/x', 'http://[::2]/x', 'http://localhost.example/x'];
  it.each(refused)('refuses %s with insecure_transport', async (url) => {
    const stub = recordingFetch();
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, fetch: stub.fetch as FetchLike, origins: '*' });
    await expect(signedFetch(url)).rejects.toMatchObject({ name: 'SigilError', code: 'insecure_transport', status: 403 });
    expect(stub.calls).toHaveLength(0);
  });

  it('does not read the body of a refused request', async () => {
    const stub = recordingFetch();
    let pulled = false;
    const body = new ReadableStream({
      pull(controller) {
        pulled = true;
        controller.close();
      },
    }, { highWaterMark: 0 });
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, fetch: stub.fetch as FetchLike, origins: '*' });
    await expect(signedFetch('http://api.example.com/', { method: 'POST', body, duplex: 'half' } as RequestInit)).rejects.toMatchObject({
      code: 'insecure_transport',
    });
    expect(stub.calls).toHaveLength(0);
    expect(pulled).toBe(false);
  });

  const loopback = ['http://127.0.0.1/x', 'http://127.255.0.9:8080/x', 'http://localhost/x', 'http://LOCALHOST./x', 'http://api.localhost/x', 'http://[::1]:1/x', 'http://127.1/x'];
  it.each(loopback)('allows loopback %s over http', async (url) => {
    const stub = recordingFetch();
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, fetch: stub.fetch as FetchLike, origins: '*' });
    await signedFetch(url);
    expect(stub.calls).toHaveLength(1);
  });

  it('allows any http host with allowInsecureHttp: true', async () => {
    const stub = recordingFetch();
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, fetch: stub.fetch as FetchLike, allowInsecureHttp: true, origins: '*' });
    await signedFetch('http://api.example.com/x');
    expect(stub.calls).toHaveLength(1);
  });

  it('refuses non-HTTP schemes', async () => {
    const stub = recordingFetch();
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, fetch: stub.fetch as FetchLike, origins: '*' });
    await expect(signedFetch('data:text/plain,hi')).rejects.toMatchObject({ code: 'insecure_transport' });
    expect(stub.calls).toHaveLength(0);
  });

  it('offers no way to turn TLS verification off', () => {
    for (const option of ['rejectUnauthorized', 'insecure', 'tls', 'ca', 'dispatcher', 'agent']) {
      expect(() => createSigningFetch({ keyId: 'k', secret: key, [option]: false, origins: '*' } as never)).toThrow(/has no option/);
    }
  });

  it('always sends with redirect: manual and the exact bytes', async () => {
    const stub = recordingFetch();
    const signedFetch = createSigningFetch({ keyId: 'k', secret: key, fetch: stub.fetch as FetchLike, origins: '*' });
    await signedFetch('https://api.example.com/x', { method: 'POST', body: 'abc', redirect: 'follow' });
    const init = stub.calls[0]!.init;
    expect(init.redirect).toBe('manual');
    expect(init.body).toEqual(new TextEncoder().encode('abc'));
  });
});

describe('against real servers', () => {
  let plain: TestServer;
  let secure: TestServer;
  let ca: string;

  beforeAll(async () => {
    const tls = await makeCertificate();
    ca = tls.cert;
    [plain, secure] = await Promise.all([startServer(key), startServer(key, { tls })]);
  });
  afterAll(() => Promise.all([plain.close(), secure.close()]));

  it('HTTPS with a certificate generated in the test, through undici fetch and a dispatcher that trusts it', async () => {
    const dispatcher = new Agent({ connect: { ca } });
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, fetch: undiciFetch, origins: '*' });
    const res = await signedFetch(`${secure.origin}/tls?a=1`, { method: 'POST', body: 'over tls', dispatcher } as RequestInit);
    expect(res.status).toBe(200);
    const seen = secure.seen.at(-1)!;
    expect(seen.verified?.ok).toBe(true);
    expect(seen.header('host')).toBe(`127.0.0.1:${secure.port}`);
    await dispatcher.close();
  });

  it('HTTPS verification stays on: an untrusted certificate fails and nothing reaches the server', async () => {
    const before = secure.seen.length;
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, fetch: undiciFetch, origins: '*' });
    const dispatcher = new Agent();
    await expect(signedFetch(`${secure.origin}/tls`, { dispatcher } as RequestInit)).rejects.toThrow();
    expect(secure.seen.length).toBe(before);
    await dispatcher.close();
  });

  it('HTTP to 127.0.0.1 with the global fetch', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    const res = await signedFetch(`${plain.origin}/plain`);
    expect(await res.text()).toBe('ok');
    expect(plain.seen.at(-1)!.verified?.ok).toBe(true);
  });

  it('control: a request signed with another key does not verify', async () => {
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: generateKey(), origins: '*' });
    await signedFetch(`${plain.origin}/other-key`);
    expect(plain.seen.at(-1)!.verified).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('hmac-sha512 and a key given as an encoded string', async () => {
    const signedFetch = createSigningFetch({
      keyId: 'client-1',
      secret: Buffer.from(SECRET_BYTES).toString('hex'),
      secretEncoding: 'hex',
      algorithm: 'hmac-sha512',
      origins: '*',
    });
    await signedFetch(`${plain.origin}/512`);
    const seen = plain.seen.at(-1)!;
    expect(seen.params?.algorithm).toBe('hmac-sha512');
    expect(seen.verified?.ok).toBe(true);
  });

  it('passes abort signals through', async () => {
    plain.route = () => {
      // Never answers.
    };
    const signedFetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: '*' });
    const controller = new AbortController();
    const pending = signedFetch(`${plain.origin}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    plain.route = (_s, res) => res.end('ok');
  });
});
