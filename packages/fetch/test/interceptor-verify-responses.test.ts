// signingInterceptor({ verifyResponses }) against a real node:http server on
// 127.0.0.1 that signs its answers (core's signResponse): the handler the
// interceptor wraps sees nothing of a response (no status, header or body
// chunk) until it is verified, so it cannot act on a partial body that
// later fails; a body past the limit is refused; a signed Sigil-Server-Time
// is still believed, by both clients.
import type http from 'node:http';
import { generateKey, isSigilError, signResponse, type SigilKey } from '@sigil/core';
import { createSigningFetch, signingInterceptor, type SigningEvent } from '@sigil/fetch';
import { Agent, request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Seen, type TestServer } from './helpers.js';

const key: SigilKey = generateKey();
let server: TestServer;
let events: SigningEvent[];
const agents: Agent[] = [];
/** Seconds the server's clock is ahead, for the clock-correction case. */
const AHEAD = 120;

function signed(seen: Seen, res: http.ServerResponse, status: number, chunks: string[], extra: Record<string, string> = {}, forged = false): void {
  const body = chunks.join('');
  const headers: Array<[string, string]> = [['content-type', 'text/plain'], ...Object.entries(extra)];
  const { header } = signResponse({ status, headers, body: Buffer.from(forged ? 'other bytes' : body) }, key, {
    request: seen.params!,
    keyId: 'client-1',
    timestamp: Math.floor(Date.now() / 1000) + (status === 401 ? AHEAD : 0),
    headers: Object.keys(extra),
  });
  res.writeHead(status, [...headers, ['sigil-response-signature', header]].flat());
  // Chunks with a pause between them: a streaming client would hand the first one on.
  let i = 0;
  const next = (): void => {
    if (i === chunks.length) return void res.end();
    res.write(chunks[i++]);
    setTimeout(next, 20);
  };
  next();
}

beforeAll(async () => {
  server = await startServer(key, {
    route: (seen, res) => {
      if (seen.url === '/big') return signed(seen, res, 200, ['x'.repeat(4096)]);
      if (seen.url === '/partial') return signed(seen, res, 200, ['first part, ', 'second part'], {}, true);
      if (seen.url === '/clock') {
        const ahead = (seen.params?.timestamp ?? 0) - Math.floor(Date.now() / 1000) > AHEAD / 2;
        if (!ahead) return signed(seen, res, 401, ['{"error":"timestamp_out_of_window"}'], { 'sigil-server-time': String(Math.floor(Date.now() / 1000) + AHEAD) });
      }
      return signed(seen, res, 200, ['ok']);
    },
  });
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await server.close();
});
beforeEach(() => {
  events = [];
  server.seen.length = 0;
});

function dispatcher(extra: object = {}): Dispatcher {
  const agent = new Agent();
  agents.push(agent);
  return agent.compose(signingInterceptor({ keyId: 'client-1', secret: key, origins: [server.origin], verifyResponses: true, onEvent: (e) => void events.push(e), ...extra }));
}

describe('signingInterceptor verifyResponses', () => {
  it('hands a verified response over whole, with a response-verified event', async () => {
    const res = await request(`${server.origin}/`, { dispatcher: dispatcher() });
    expect([res.statusCode, await res.body.text()]).toEqual([200, 'ok']);
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified']);
  });

  it('gives the handler nothing of a response that fails at its end: no status, no header, no first chunk', async () => {
    const calls: string[] = [];
    const error = await new Promise<unknown>((resolve) => {
      dispatcher().dispatch(
        { origin: server.origin, path: '/partial', method: 'GET' },
        {
          onRequestStart: () => void calls.push('start'),
          onResponseStart: () => void calls.push('response'),
          onResponseData: () => void calls.push('data'),
          onResponseEnd: () => resolve(undefined),
          onResponseError: (_c, e) => resolve(e),
        },
      );
    });
    expect(isSigilError(error) && error.code).toBe('response_signature_invalid');
    expect(calls).toEqual(['start']);
    expect(events.map((e) => [e.type, e.code])).toEqual([['signed', undefined], ['refused', 'response_signature_invalid']]);
  });

  it('refuses a body over verifyResponses.maxBodyBytes: body_too_large', async () => {
    const error = await request(`${server.origin}/big`, { dispatcher: dispatcher({ verifyResponses: { maxBodyBytes: 1024 } }) }).catch((e: unknown) => e);
    expect(isSigilError(error) && error.code).toBe('body_too_large');
  });

  it('believes a signed Sigil-Server-Time: learns the clock and retries once', async () => {
    const res = await request(`${server.origin}/clock`, { dispatcher: dispatcher() });
    expect([res.statusCode, await res.body.text()]).toEqual([200, 'ok']);
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified', 'retry', 'signed', 'response-verified']);
  });

  it('shows verifyResponses in its secret-free face', () => {
    const face = JSON.stringify(signingInterceptor({ keyId: 'client-1', secret: key, origins: [server.origin], verifyResponses: { require: ['X-Balance'] } }));
    expect(face).toContain('"verifyResponses":{"require":["x-balance"]');
  });
});

describe('createSigningFetch verifyResponses and the clock', () => {
  it('believes a signed Sigil-Server-Time: learns the clock and retries once', async () => {
    const fetch = createSigningFetch({ keyId: 'client-1', secret: key, origins: [server.origin], verifyResponses: true, onEvent: (e) => void events.push(e) });
    const res = await fetch(`${server.origin}/clock`);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect(events.map((e) => e.type)).toEqual(['signed', 'response-verified', 'retry', 'signed', 'response-verified']);
  });
});
