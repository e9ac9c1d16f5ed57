// Load and fault behaviour against a real node:http server with the memory
// store. Counts outcomes only; no timing is asserted.
import { createServer, type Server } from 'node:http';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore } from '../src/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { close, listen } from './helpers/servers.js';
import { breakMac, KEY, KEY_ID, nowSeconds, signedHeaders } from './helpers/sign.js';

const store = new MemoryNonceStore({ maxEntries: 10_000 });
let server: Server;
let host: string;
let pool: Pool;

beforeAll(async () => {
  const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store, maxBodyBytes: 4096 });
  server = createServer(sigilListener(verifier, (_req, res) => res.end('ok')));
  host = await listen(server);
  pool = new Pool(`http://${host}`, { connections: 50, pipelining: 1 });
});
afterAll(async () => {
  await pool.close();
  await close(server);
});

async function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  const res = await pool.request({ method: method as 'POST', path, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.statusCode, text: await res.body.text() };
}

const tally = (outcomes: Array<{ status: number; text: string }>): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const { status, text } of outcomes) counts[`${status} ${text}`] = (counts[`${status} ${text}`] ?? 0) + 1;
  return counts;
};

describe('load', () => {
  it('accepts exactly one of 1,000 concurrent replays of one signed request', async () => {
    const body = '{"transfer":100}';
    const headers = signedHeaders({ method: 'POST', target: '/pay', host, body, headers: { 'content-type': 'application/json' } });
    const before = store.size;
    const outcomes = await Promise.all(Array.from({ length: 1000 }, () => send('POST', '/pay', headers, body)));
    expect(tally(outcomes)).toEqual({ '200 ok': 1, '401 {"error":"nonce_replayed"}': 999 });
    expect(store.size - before).toBe(1);
  });

  it('keeps accepting a steady stream of valid requests under a flood of invalid ones', async () => {
    const before = store.size;
    const valid = (i: number) => {
      const body = `{"n":${i}}`;
      return send('POST', '/v', signedHeaders({ method: 'POST', target: '/v', host, body }), body);
    };
    const accepted = signedHeaders({ method: 'GET', target: '/once', host });
    expect((await send('GET', '/once', accepted)).status).toBe(200);
    const invalid = (i: number) => {
      const signed = signedHeaders({ method: 'POST', target: '/f', host, body: `{"n":${i}}` });
      switch (i % 6) {
        case 0: return send('POST', '/f', { ...signed, 'sigil-signature': breakMac(signed['sigil-signature']!) }, `{"n":${i}}`);
        case 1: return send('POST', '/f', { host }, `{"n":${i}}`);
        case 2: return send('POST', '/f', signed, `{"n":${i + 1}}`);
        case 3: return send('GET', '/once', accepted);
        case 4: return send('GET', '/s', signedHeaders({ method: 'GET', target: '/s', host, options: { timestamp: nowSeconds() - 900 } }));
        default: return send('POST', '/f', signedHeaders({ method: 'POST', target: '/f', host, body: 'x'.repeat(5000) }), 'x'.repeat(5000));
      }
    };
    // 10 waves: 20 valid requests race 200 invalid ones in each.
    const validOutcomes: Array<{ status: number; text: string }> = [];
    const invalidOutcomes: Array<{ status: number; text: string }> = [];
    for (let wave = 0; wave < 10; wave++) {
      const [v, bad] = await Promise.all([
        Promise.all(Array.from({ length: 20 }, (_, i) => valid(wave * 20 + i))),
        Promise.all(Array.from({ length: 200 }, (_, i) => invalid(wave * 200 + i))),
      ]);
      validOutcomes.push(...v);
      invalidOutcomes.push(...bad);
    }
    expect(tally(validOutcomes)).toEqual({ '200 ok': 200 });
    expect(tally(invalidOutcomes)).toEqual({
      '401 {"error":"signature_invalid"}': 667,
      '401 {"error":"signature_missing"}': 334,
      '401 {"error":"nonce_replayed"}': 333,
      '401 {"error":"timestamp_out_of_window"}': 333,
      '413 {"error":"body_too_large"}': 333,
    });
    // Only the accepted requests left a nonce behind.
    expect(store.size - before).toBe(201);
  });
});
