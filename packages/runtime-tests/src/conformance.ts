// The runtime conformance script: the same checks on every runtime, against
// the BUILT packages (the harness bundles this file with esbuild, resolving
// @sigil/* through their package.json exports to dist/). It touches only Web
// APIs, so it runs unchanged in Node, Bun, Deno, workerd and a browser; each
// entry (host-server.ts, worker.ts, browser.ts) adds the real server its
// runtime has.
import { backend, importKey, isSigilError } from '@sigil/core';
import { contentDigest, parseDictionary, parseRfc9421VectorFile, rfc9421Key, signatureBase, verifyRfc9421, type InnerList, type Rfc9421VectorKey, type Rfc9421VectorRequest, type Rfc9421Request } from '@sigil/core/rfc9421';
import { parseVectorFile, positiveVerifier, runVector, type VectorKey, type VectorRequest } from '@sigil/core/vectors';
import { createSigningFetch, type FetchLike } from '@sigil/fetch';
import { parseWebhookVectorFile, vectorBytes, webhookSchemes } from '@sigil/core/webhooks';
import { createVerifier, createWebhookVerifier, MemoryNonceStore, type KeyEntry, type Verifier, type VerifierRequest } from '@sigil/verify';
import { sigilFetchHandler } from '@sigil/verify/fetch';

/** The vector files, inlined by the harness (esbuild `define`): no file system needed. */
declare const SIGIL_VECTORS: { v1Positive: unknown; v1Negative: unknown; rfcPositive: unknown; rfcNegative: unknown; webhooksPositive: unknown; webhooksNegative: unknown };

/** One named check and what it found. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** What a runtime reports back to the harness. */
export interface Report {
  readonly runtime: string;
  readonly backend: string;
  readonly checks: readonly Check[];
}

/** The key both ends of every round trip share (a test key, nothing else uses it). */
export const KEY_ID = 'runtime-1';
export const SECRET = 'c2lnaWwtcnVudGltZS1tYXRyaXgtdGVzdC1rZXktMzI';

/** A check list that records each check's outcome, and a thrown error as a failed check. */
export class Checks {
  readonly list: Check[] = [];
  async run(name: string, fn: () => unknown): Promise<void> {
    try {
      const detail = await fn();
      this.list.push({ name, ok: true, ...(typeof detail === 'string' ? { detail } : {}) });
    } catch (error) {
      const text = isSigilError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.list.push({ name, ok: false, detail: text });
    }
  }
}

/** Throws unless `got` is `want`, naming what was compared. */
export function expectEqual(what: string, got: unknown, want: unknown): void {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

function bodyBytes(body: { utf8: string } | { base64: string } | null): Uint8Array | null {
  if (body === null) return null;
  if ('utf8' in body) return new TextEncoder().encode(body.utf8);
  const raw = atob(body.base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function keyMap(keys: readonly VectorKey[]): Record<string, KeyEntry[]> {
  const map: Record<string, KeyEntry[]> = {};
  for (const k of keys) (map[k.id] ??= []).push({ key: k.secret, encoding: k.encoding });
  return map;
}

function verifierRequest(request: VectorRequest, signature?: string): VerifierRequest {
  const headers: [string, string][] = signature ? [...request.headers, ['Sigil-Signature', signature]] : [...request.headers];
  return { method: request.method, target: request.target, headers, body: bodyBytes(request.body), remoteAddress: '127.0.0.1' };
}

/** The v1 vectors through core (sign byte for byte, then verify) and through createVerifier. */
async function v1Vectors(checks: Checks): Promise<void> {
  const positive = parseVectorFile(SIGIL_VECTORS.v1Positive).vectors;
  const negative = parseVectorFile(SIGIL_VECTORS.v1Negative).vectors;
  await checks.run('v1 vectors through core', () => {
    const failed = [...positive, ...negative].map((v) => ({ id: v.id, ...runVector(v) })).filter((o) => !o.pass);
    if (failed.length > 0) throw new Error(`${failed.length} failed, first ${failed[0]!.id}: got ${failed[0]!.got}, want ${failed[0]!.expected}`);
    return `${positive.length + negative.length} vectors`;
  });
  await checks.run('v1 vectors through createVerifier', async () => {
    for (const v of positive) {
      if (v.kind !== 'positive') continue;
      const { keys, policy } = positiveVerifier(v);
      const verifier = createVerifier({
        keys: keyMap(keys),
        replay: false,
        clock: () => policy.now * 1000,
        toleranceSeconds: policy.toleranceSeconds,
        requiredHeaders: policy.requiredHeaders,
        maxBodyBytes: policy.maxBodyBytes ?? 2 ** 31,
      });
      const result = await verifier.verify(verifierRequest(v.request, v.expected.header));
      expectEqual(v.id, result.ok ? 'accepted' : result.code, 'accepted');
    }
    for (const v of negative) {
      if (v.kind !== 'negative') continue;
      const verifier = createVerifier({
        keys: keyMap(v.keys),
        replay: false,
        clock: () => v.policy.now * 1000,
        toleranceSeconds: v.policy.toleranceSeconds,
        requiredHeaders: v.policy.requiredHeaders,
        ...(v.policy.maxBodyBytes === undefined ? {} : { maxBodyBytes: v.policy.maxBodyBytes }),
      });
      const result = await verifier.verify(verifierRequest(v.request));
      expectEqual(v.id, result.ok ? 'accepted' : result.code, v.expected.error);
    }
    return `${positive.length + negative.length} vectors`;
  });
}

function rfcRequest(r: Rfc9421VectorRequest, extra: [string, string][] = []): Rfc9421Request {
  return { method: r.method, scheme: r.scheme, authority: r.authority, target: r.target, headers: [...r.headers, ...extra], body: bodyBytes(r.body) };
}

function rfcLookup(keys: readonly Rfc9421VectorKey[]) {
  return (keyid: string) => keys.filter((k) => k.id === keyid).map((k) => rfc9421Key(importKey(k.secret, { encoding: k.encoding }), k.algorithm));
}

/** The RFC 9421 vectors through core: signature bases, Content-Digest, verification and every refusal. */
async function rfc9421Vectors(checks: Checks): Promise<void> {
  const positive = parseRfc9421VectorFile(SIGIL_VECTORS.rfcPositive).vectors;
  const negative = parseRfc9421VectorFile(SIGIL_VECTORS.rfcNegative).vectors;
  await checks.run('RFC 9421 vectors through core', () => {
    for (const v of positive) {
      if (v.kind === 'digest') {
        expectEqual(v.id, contentDigest(bodyBytes(v.body), v.algorithm), v.expected.contentDigest);
        continue;
      }
      if (v.kind !== 'positive') continue;
      const [label, member] = [...parseDictionary(v.expected.signatureInput)][0]!;
      const list = member as InnerList;
      const components = list.items.map((i) => ({ name: i.value as string, params: i.params }));
      const options = v.structuredFields ? { structuredFields: v.structuredFields } : {};
      expectEqual(`${v.id} base`, signatureBase(rfcRequest(v.request), components, list.params, options), v.expected.base);
      const signed = rfcRequest(v.request, [['Signature-Input', v.expected.signatureInput], ['Signature', v.expected.signature]]);
      const result = verifyRfc9421(signed, rfcLookup([v.key]), { label, requiredComponents: [], ...options });
      expectEqual(v.id, result.ok ? 'accepted' : result.code, 'accepted');
    }
    for (const v of negative) {
      if (v.kind !== 'negative') continue;
      const result = verifyRfc9421(rfcRequest(v.request), rfcLookup(v.keys), v.options);
      expectEqual(v.id, result.ok ? 'accepted' : result.code, v.expected.error);
    }
    return `${positive.length + negative.length} vectors`;
  });
  await checks.run('RFC 9421 vectors through createVerifier', async () => {
    let count = 0;
    for (const v of positive) {
      // Core only: the RFC's appendix B examples, which lack what the Sigil
      // profile requires (SPEC.md section 9: a base64url nonce, alg), and
      // requests whose authority comes from elsewhere than Host (HTTP/2's
      // :authority), which a verifier request cannot carry.
      if (v.kind !== 'positive' || v.id.startsWith('rfc9421-b-') || v.request.authority !== undefined) continue;
      const [label, member] = [...parseDictionary(v.expected.signatureInput)][0]!;
      const created = (member as InnerList).params.get('created') as number;
      const verifier = createVerifier({
        keys: { [v.key.id]: { key: v.key.secret, encoding: v.key.encoding } },
        replay: false,
        schemes: ['rfc9421'],
        rfc9421: { label, requiredComponents: [], ...(v.structuredFields ? { structuredFields: v.structuredFields } : {}) },
        clock: () => created * 1000,
      });
      const signed = rfcRequest(v.request, [['Signature-Input', v.expected.signatureInput], ['Signature', v.expected.signature]]);
      const result = await verifier.verify({ method: signed.method, target: signed.target, headers: signed.headers, body: signed.body, secure: signed.scheme === 'https', remoteAddress: '127.0.0.1' });
      expectEqual(v.id, result.ok ? 'accepted' : result.code, 'accepted');
      count++;
    }
    return `${count} positive vectors`;
  });
}

/**
 * Every webhook vector through createWebhookVerifier (the pipeline an
 * adapter runs), at the vector's clock, with a memory store at that clock:
 * positive ones accepted once and then refused as replays, negative ones
 * refused with their code (or their secret refused at configuration).
 */
async function webhookVectors(checks: Checks): Promise<void> {
  await checks.run('webhook vectors through createWebhookVerifier', async () => {
    const files = [SIGIL_VECTORS.webhooksPositive, SIGIL_VECTORS.webhooksNegative].map((file) => parseWebhookVectorFile(file).vectors);
    let count = 0;
    for (const v of files.flat()) {
      const want = v.kind === 'positive' ? 'accepted' : v.expected.code;
      let scheme;
      try {
        scheme = webhookSchemes[v.scheme]({ secrets: v.secrets, ...(v.kind === 'positive' ? v.options : {}) });
      } catch (error) {
        expectEqual(v.id, isSigilError(error) ? error.code : String(error), want);
        count++;
        continue;
      }
      const clock = () => v.now * 1000;
      const verifier = createWebhookVerifier({ schemes: [scheme], nonceStore: new MemoryNonceStore({ clock }), clock });
      const request = { method: 'POST', target: '/hooks', headers: v.request.headers, body: vectorBytes(v.request.body), remoteAddress: '127.0.0.1' };
      const result = await verifier.verify(request);
      expectEqual(v.id, result.ok ? 'accepted' : result.code, want);
      if (result.ok) {
        const again = await verifier.verify(request);
        expectEqual(`${v.id} replayed`, again.ok ? 'accepted' : again.code, 'nonce_replayed');
      }
      count++;
    }
    return `${count} vectors`;
  });
}

/** The verifier every round trip uses: both schemes, a memory nonce store. */
export function conformanceVerifier(): Verifier {
  return createVerifier({ keys: { [KEY_ID]: { key: SECRET, encoding: 'base64url' } }, nonceStore: new MemoryNonceStore(), schemes: ['v1', 'rfc9421'] });
}

/** The app behind the verifier: echoes who signed and what arrived. */
export async function echo(request: Request, verification: { keyId: string }): Promise<Response> {
  return Response.json({ keyId: verification.keyId, method: request.method, body: await request.text() });
}

/** How a round trip reaches the server: the runtime's fetch, or a handler called in process. */
export type Send = (url: string, init: RequestInit) => Promise<Response>;

interface Sent {
  url: string;
  init: RequestInit & { headers: [string, string][] };
}

/**
 * The checks a client runs against a Sigil server at `origin`, over
 * `send` (the runtime's fetch, or a handler called directly): accepted (v1
 * and RFC 9421), replay refused, tamper refused, origin refused.
 */
export async function roundTrip(checks: Checks, prefix: string, origin: string, send: Send): Promise<void> {
  let last: Sent | undefined;
  const recording: FetchLike = (url: string, init: Sent['init']) => {
    last = { url, init: { ...init, headers: [...init.headers] } };
    return send(url, init);
  };
  const signing = (scheme: 'v1' | 'rfc9421') => createSigningFetch({ keyId: KEY_ID, secret: SECRET, secretEncoding: 'base64url', origins: [origin], fetch: recording, scheme });
  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

  await checks.run(`${prefix}: a signed request is accepted`, async () => {
    const res = await json(await signing('v1')(`${origin}/echo?q=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' }));
    expectEqual('status', res.status, 200);
    expectEqual('keyId', res.body.keyId, KEY_ID);
    expectEqual('body', res.body.body, '{"n":1}');
  });
  await checks.run(`${prefix}: a replayed request is refused`, async () => {
    if (!last) throw new Error('nothing was sent');
    const res = await json(await send(last.url, last.init));
    expectEqual('status', res.status, 401);
    expectEqual('code', res.body.error, 'nonce_replayed');
  });
  await checks.run(`${prefix}: a tampered body is refused`, async () => {
    await signing('v1')(`${origin}/echo`, { method: 'POST', body: 'pay 10' });
    const res = await json(await send(last!.url, { ...last!.init, body: 'pay 99' }));
    expectEqual('status', res.status, 401);
    expectEqual('code', res.body.error, 'signature_invalid');
  });
  await checks.run(`${prefix}: a tampered target is refused`, async () => {
    await signing('v1')(`${origin}/echo?amount=10`, { method: 'GET' });
    const res = await json(await send(last!.url.replace('amount=10', 'amount=99'), last!.init));
    expectEqual('status', res.status, 401);
    expectEqual('code', res.body.error, 'signature_invalid');
  });
  await checks.run(`${prefix}: an RFC 9421 signed request is accepted`, async () => {
    const res = await json(await signing('rfc9421')(`${origin}/echo`, { method: 'PUT', body: 'rfc' }));
    expectEqual('status', res.status, 200);
    expectEqual('body', res.body.body, 'rfc');
  });
  await checks.run(`${prefix}: another origin is refused before sending`, async () => {
    last = undefined;
    try {
      await signing('v1')('https://elsewhere.example/steal', { method: 'POST', body: 'x' });
    } catch (error) {
      expectEqual('code', isSigilError(error) ? error.code : String(error), 'origin_not_allowed');
      expectEqual('sent', last, undefined);
      return;
    }
    throw new Error('the request was sent');
  });
}

/**
 * Everything that needs no socket: the vectors, and a signing fetch whose
 * transport is a Fetch handler called in process.
 */
export async function runConformance(runtime: string, extra?: (checks: Checks) => Promise<void>): Promise<Report> {
  const checks = new Checks();
  await v1Vectors(checks);
  await rfc9421Vectors(checks);
  await webhookVectors(checks);
  const handler = sigilFetchHandler(conformanceVerifier(), echo, { connection: () => ({ remoteAddress: '127.0.0.1' }) });
  await roundTrip(checks, 'in-process Fetch handler', 'http://127.0.0.1:8787', (url, init) => handler(new Request(url, init)));
  if (extra) await extra(checks);
  return { runtime, backend: backend.name, checks: checks.list };
}
