// Interop with a peer implementation of RFC 9421, the `http-message-signatures`
// npm package (root devDependency), hmac-sha256, both ways over real sockets:
// the peer signs and Sigil's createVerifier verifies; Sigil's client signs and
// the peer's verifyMessage verifies. Then each known deviation of the peer
// from the RFC, and what Sigil does instead (SPEC.md section 9.12).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { contentDigest, signRfc9421, rfc9421Key } from '@sigil/core/rfc9421';
import { createSigningFetch } from '@sigil/fetch';
import { createSigner, createVerifier as peerVerifier, httpbis, type Request as PeerRequest, type SignatureParameters } from 'http-message-signatures';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sigilListener } from '../src/adapters/node/index.js';
import { createVerifier, MemoryNonceStore, type Verifier } from '../src/index.js';
import { close, listen } from './helpers/servers.js';
import { KEY, KEY_ID, SECRET } from './helpers/sign.js';

const SIGIL_COMPONENTS = ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'];
const peerKey = createSigner(Buffer.from(SECRET), 'hmac-sha256', KEY_ID);
const peerKeyLookup = async (params: SignatureParameters) =>
  params.keyid === KEY_ID ? { id: KEY_ID, algs: ['hmac-sha256'], verify: peerVerifier(Buffer.from(SECRET), 'hmac-sha256') } : null;
const nonce = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
const enc = (s: string) => new TextEncoder().encode(s);

const servers: Server[] = [];
let sigilHost: string;
let peerOrigin: string;
const peerVerdicts: Array<boolean | null | string> = [];
const verifier: Verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore(), schemes: ['rfc9421'] });

/** The peer's request shape for what a Node server received. */
async function asPeerRequest(req: IncomingMessage): Promise<{ request: PeerRequest; body: Buffer }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { request: { method: req.method!, url: `http://${req.headers.host}${req.url}`, headers }, body: Buffer.concat(chunks) };
}

beforeAll(async () => {
  const sigil = createServer(sigilListener(verifier, (_req, res, v) => res.end(JSON.stringify({ scheme: v.scheme, body: Buffer.from(v.body).toString() }))));
  // A server that verifies with the peer only, as an application using it would.
  const peer = createServer(async (req, res) => {
    const { request: received } = await asPeerRequest(req);
    try {
      const verdict = await httpbis.verifyMessage(
        { keyLookup: peerKeyLookup, requiredFields: SIGIL_COMPONENTS, requiredParams: ['created', 'keyid', 'nonce'] },
        received,
      );
      peerVerdicts.push(verdict);
      res.writeHead(verdict ? 200 : 401).end();
    } catch (error) {
      peerVerdicts.push((error as Error).constructor.name);
      res.writeHead(401).end();
    }
  });
  servers.push(sigil, peer);
  sigilHost = await listen(sigil);
  peerOrigin = `http://${await listen(peer)}`;
});
afterAll(() => Promise.all(servers.map(close)));

/** The peer signs a request to the Sigil server; Content-Digest comes from Sigil (the peer computes none). */
async function peerSigned(method: string, target: string, body: string, fields = SIGIL_COMPONENTS, host = sigilHost) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-digest': contentDigest(enc(body)) };
  return httpbis.signMessage(
    { key: peerKey, fields, params: ['created', 'expires', 'keyid', 'alg', 'nonce'], paramValues: { nonce: nonce() } },
    { method, url: `http://${host}${target}`, headers },
  );
}

describe('the peer signs, Sigil verifies (createVerifier over a socket)', () => {
  it('accepts what the peer signs over the components Sigil requires, created, expires, keyid, alg and nonce', async () => {
    const body = '{"qty":1}';
    const signed = await peerSigned('POST', '/v1/orders?dry_run=1&x=%20', body);
    expect(signed.headers['Signature-Input']).toMatch(/^sig=\("@method" "@authority" "@path" "@query" "content-digest" "content-type"\);created=\d+;expires=\d+;keyid="client-1";alg="hmac-sha256";nonce="/);
    const res = await request(`http://${sigilHost}/v1/orders?dry_run=1&x=%20`, { method: 'POST', headers: signed.headers, body });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ scheme: 'rfc9421', body });
  });

  it('refuses a replay of it, and a body changed under the peer-signed Content-Digest', async () => {
    const body = '{"qty":2}';
    const signed = await peerSigned('PUT', '/v1/orders/7', body);
    const send = (b: string) => request(`http://${sigilHost}/v1/orders/7`, { method: 'PUT', headers: signed.headers, body: b });
    const tampered = await send('{"qty":9}');
    expect(await tampered.body.json()).toEqual({ error: 'content_digest_mismatch' });
    expect((await send(body)).statusCode).toBe(200);
    const replay = await send(body);
    expect(await replay.body.json()).toEqual({ error: 'nonce_replayed' });
  });

  it('refuses a peer signature without the nonce Sigil requires', async () => {
    const headers = { 'content-type': 'application/json', 'content-digest': contentDigest(enc('{}')) };
    const signed = await httpbis.signMessage({ key: peerKey, fields: SIGIL_COMPONENTS }, { method: 'POST', url: `http://${sigilHost}/x`, headers });
    const res = await request(`http://${sigilHost}/x`, { method: 'POST', headers: signed.headers, body: '{}' });
    expect(await res.body.json()).toEqual({ error: 'signature_header_malformed' });
  });
});

describe('Sigil signs, the peer verifies (verifyMessage over a socket)', () => {
  it('accepts what createSigningFetch({ scheme: "rfc9421" }) sends, with and without a body', async () => {
    peerVerdicts.length = 0;
    const signedFetch = createSigningFetch({ keyId: KEY_ID, secret: KEY, scheme: 'rfc9421', rfc9421: { expiresInSeconds: 60 }, origins: '*' });
    const post = await signedFetch(`${peerOrigin}/v1/orders?dry_run=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"qty":1}' });
    expect(post.status).toBe(200);
    // The peer's requiredFields include content-digest and content-type: a bodiless GET lacks them.
    const get = await signedFetch(`${peerOrigin}/v1/orders`);
    expect(get.status).toBe(401);
    expect(peerVerdicts).toEqual([true, 'UnacceptableSignatureError']);
  });

  it('the peer recomputes the signature base the same way: a changed target fails there too', async () => {
    const req = { method: 'GET', target: '/a?b=1', headers: [['host', 'example.com']] as [string, string][], scheme: 'https' as const };
    const r = signRfc9421(req, rfc9421Key(KEY), { keyid: KEY_ID, created: Math.floor(Date.now() / 1000), components: ['@method', '@authority', '@path', '@query'] });
    const headers = { host: 'example.com', 'signature-input': r.signatureInput, signature: r.signature };
    const verify = (url: string) => httpbis.verifyMessage({ keyLookup: peerKeyLookup }, { method: 'GET', url, headers });
    expect(await verify('https://example.com/a?b=1')).toBe(true);
    expect(await verify('https://example.com/a?b=2')).toBe(false);
  });
});

describe("the peer's deviations from RFC 9421, and what Sigil does", () => {
  const verify = (method: string, target: string, headers: Record<string, string | string[]>, body = '') =>
    createVerifier({ keys: { [KEY_ID]: KEY }, replay: false, schemes: ['rfc9421'], rfc9421: { requiredComponents: [] } }).verify({
      method,
      target,
      headers: Object.entries(headers).flatMap(([n, v]) => (Array.isArray(v) ? v : [v]).map((x) => [n, x] as [string, string])),
      body: enc(body),
      remoteAddress: '127.0.0.1',
    });
  const peerSign = (method: string, target: string, fields: string[]) =>
    httpbis.signMessage<PeerRequest>({ key: peerKey, fields, params: ['created', 'keyid', 'nonce'], paramValues: { nonce: nonce() } }, { method, url: `http://h.example${target}`, headers: { host: 'h.example' } });

  it('@method: the peer upper-cases it; Sigil signs the method as sent (uppercase methods agree)', async () => {
    const lower = await peerSign('post', '/x', ['@method']);
    expect(await verify('post', '/x', lower.headers)).toMatchObject({ ok: false, code: 'signature_invalid' });
    const upper = await peerSign('POST', '/x', ['@method']);
    expect(await verify('POST', '/x', upper.headers)).toMatchObject({ ok: true });
  });

  it("@query-param: the peer encodes values with encodeURIComponent, so !'()~ differ; other values agree", async () => {
    const field = '"@query-param";name="q"';
    const plain = await peerSign('GET', '/x?q=a%20b%2Fc', [field]);
    expect(await verify('GET', '/x?q=a%20b%2Fc', plain.headers)).toMatchObject({ ok: true });
    const tilde = await peerSign('GET', '/x?q=a~b', [field]);
    expect(await verify('GET', '/x?q=a~b', tilde.headers)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('@query-param repeated: the peer signs one line per value; Sigil refuses to cover an ambiguous name', async () => {
    const repeated = await peerSign('GET', '/x?q=1&q=2', ['"@query-param";name="q"']);
    expect(await verify('GET', '/x?q=1&q=2', repeated.headers)).toMatchObject({ ok: false, code: 'signature_header_malformed' });
  });

  it('@path and @query: the peer reads them through the WHATWG URL parser, which re-encodes some characters; Sigil reads the target as sent', async () => {
    const sent = "/x?q='a'";
    const signed = await peerSign('GET', sent, ['@query']);
    expect(await verify('GET', sent, signed.headers)).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(await verify('GET', "/x?q=%27a%27", signed.headers)).toMatchObject({ ok: true });
  });

  it('Content-Digest: the peer never checks it against the body; Sigil does', async () => {
    const req = { method: 'POST', target: '/x', headers: [['host', 'h.example']] as [string, string][], body: enc('paid: 10'), scheme: 'http' as const };
    const r = signRfc9421(req, rfc9421Key(KEY), { keyid: KEY_ID, created: Math.floor(Date.now() / 1000) });
    const headers = { host: 'h.example', 'content-digest': r.contentDigest!, 'signature-input': r.signatureInput, signature: r.signature };
    expect(await httpbis.verifyMessage({ keyLookup: peerKeyLookup }, { method: 'POST', url: 'http://h.example/x', headers })).toBe(true);
    expect(await verify('POST', '/x', headers, 'paid: 1000')).toMatchObject({ ok: false, code: 'content_digest_mismatch' });
    expect(await verify('POST', '/x', headers, 'paid: 10')).toMatchObject({ ok: true });
  });

  it('several signatures: the peer verifies every one it has a key for; Sigil verifies the one selected by label or tag', async () => {
    const first = await peerSign('GET', '/x', ['@method']);
    const both = await httpbis.signMessage({ key: peerKey, fields: ['@path'], params: ['created', 'keyid', 'nonce'], paramValues: { nonce: nonce() } }, { ...first, url: 'http://h.example/x' });
    expect(both.headers['Signature-Input']).toMatch(/^sig=.*, sig0=/);
    expect(await httpbis.verifyMessage({ keyLookup: peerKeyLookup }, both)).toBe(true);
    expect(await verify('GET', '/x', both.headers)).toMatchObject({ ok: false, code: 'signature_header_malformed' });
    const byLabel = createVerifier({ keys: { [KEY_ID]: KEY }, replay: false, schemes: ['rfc9421'], rfc9421: { requiredComponents: [], label: 'sig0' } });
    const headers = Object.entries(both.headers).map(([n, v]) => [n, String(v)] as [string, string]);
    expect(await byLabel.verify({ method: 'GET', target: '/x', headers, remoteAddress: '127.0.0.1' })).toMatchObject({ ok: true, label: 'sig0' });
  });
});
