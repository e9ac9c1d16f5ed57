// Every option factory's invalid_option message, pinned byte for byte: the
// move from zod to zod/mini (which loads no locale) must not change a single
// one. messages.json was recorded from the zod (classic) build; each case is
// a mistake a user makes (wrong type, out of range, typo, bad nesting).
import { readFileSync, writeFileSync } from 'node:fs';
import { generateKey } from '@sigil/core';
import { stripeScheme, githubScheme, standardWebhooksScheme } from '@sigil/core/webhooks';
import { parseVectorFile } from '@sigil/core/vectors';
import { parseRfc9421VectorFile } from '@sigil/core/rfc9421';
import { parseWebhookVectorFile } from '@sigil/core/webhooks';
import { createSigningFetch, signingInterceptor } from '@sigil/fetch';
import { createVerifier, MemoryNonceStore } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { RedisNonceStore } from '@sigil/redis';
import { PostgresNonceStore } from '@sigil/postgres';
import { createWebhookSender } from '@sigil/webhooks';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';

const KEY = generateKey();
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const redis = { call: async () => 'OK' };
const pg = { query: async () => ({ rowCount: 1 }) };
const store = () => new MemoryNonceStore();
const fetchBase = { keyId: 'client-1', secret: KEY, origins: ['https://api.example.com'] };
const verifierBase = () => ({ keys: { 'client-1': KEY }, nonceStore: store() });

type Case = readonly [name: string, run: () => unknown];

const cases: Case[] = [
  // createSigningFetch / signingInterceptor
  ['fetch: options not an object', () => createSigningFetch(5 as never)],
  ['fetch: unknown option', () => createSigningFetch({ ...fetchBase, tolerance: 1 } as never)],
  ['fetch: two unknown options', () => createSigningFetch({ ...fetchBase, a: 1, b: 2 } as never)],
  ['fetch: keyId a number', () => createSigningFetch({ ...fetchBase, keyId: 5 } as never)],
  ['fetch: keyId missing', () => createSigningFetch({ secret: KEY, origins: ['https://a.example'] } as never)],
  ['fetch: secret a number', () => createSigningFetch({ ...fetchBase, secret: 5 } as never)],
  ['fetch: secretEncoding unknown', () => createSigningFetch({ ...fetchBase, secret: 'x', secretEncoding: 'latin1' } as never)],
  ['fetch: signedHeaders a string', () => createSigningFetch({ ...fetchBase, signedHeaders: 'date' } as never)],
  ['fetch: signedHeaders holds a number', () => createSigningFetch({ ...fetchBase, signedHeaders: ['date', 5] } as never)],
  ['fetch: algorithm unknown', () => createSigningFetch({ ...fetchBase, algorithm: 'sha1' } as never)],
  ['fetch: maxBodyBytes zero', () => createSigningFetch({ ...fetchBase, maxBodyBytes: 0 })],
  ['fetch: maxBodyBytes fractional', () => createSigningFetch({ ...fetchBase, maxBodyBytes: 1.5 })],
  ['fetch: maxBodyBytes huge', () => createSigningFetch({ ...fetchBase, maxBodyBytes: 2 ** 60 })],
  ['fetch: maxBodyBytes a string', () => createSigningFetch({ ...fetchBase, maxBodyBytes: '1' } as never)],
  ['fetch: maxBodyBytes NaN', () => createSigningFetch({ ...fetchBase, maxBodyBytes: Number.NaN })],
  ['fetch: maxBodyBytes Infinity', () => createSigningFetch({ ...fetchBase, maxBodyBytes: Infinity })],
  ['fetch: allowInsecureHttp a string', () => createSigningFetch({ ...fetchBase, allowInsecureHttp: 'yes' } as never)],
  ['fetch: clock a number', () => createSigningFetch({ ...fetchBase, clock: 5 } as never)],
  ['fetch: maxClockSkewSeconds negative', () => createSigningFetch({ ...fetchBase, maxClockSkewSeconds: -1 })],
  ['fetch: maxClockSkewSeconds too big', () => createSigningFetch({ ...fetchBase, maxClockSkewSeconds: 86_401 })],
  ['fetch: onEvent a string', () => createSigningFetch({ ...fetchBase, onEvent: 'log' } as never)],
  ['fetch: origins missing', () => createSigningFetch({ keyId: 'client-1', secret: KEY } as never)],
  ['fetch: origins empty', () => createSigningFetch({ ...fetchBase, origins: [] })],
  ['fetch: origins a string', () => createSigningFetch({ ...fetchBase, origins: 'https://a.example' } as never)],
  ['fetch: origins holds a number', () => createSigningFetch({ ...fetchBase, origins: [5] } as never)],
  ['fetch: fetch a string', () => createSigningFetch({ ...fetchBase, fetch: 'fetch' } as never)],
  ['fetch: redirect not an object', () => createSigningFetch({ ...fetchBase, redirect: 'follow' } as never)],
  ['fetch: redirect.crossOrigin unknown', () => createSigningFetch({ ...fetchBase, redirect: { crossOrigin: 'follow' } } as never)],
  ['fetch: redirect.maxHops too big', () => createSigningFetch({ ...fetchBase, redirect: { maxHops: 21 } })],
  ['fetch: redirect unknown member', () => createSigningFetch({ ...fetchBase, redirect: { hops: 2 } } as never)],
  ['fetch: scheme unknown', () => createSigningFetch({ ...fetchBase, scheme: 'v2' } as never)],
  ['fetch: rfc9421 unknown member', () => createSigningFetch({ ...fetchBase, scheme: 'rfc9421', rfc9421: { labels: 'x' } } as never)],
  ['fetch: rfc9421.components holds a number', () => createSigningFetch({ ...fetchBase, scheme: 'rfc9421', rfc9421: { components: [5] } } as never)],
  ['fetch: rfc9421.digest unknown', () => createSigningFetch({ ...fetchBase, scheme: 'rfc9421', rfc9421: { digest: 'md5' } } as never)],
  ['fetch: rfc9421.expiresInSeconds zero', () => createSigningFetch({ ...fetchBase, scheme: 'rfc9421', rfc9421: { expiresInSeconds: 0 } })],
  ['fetch: verifyResponses a string', () => createSigningFetch({ ...fetchBase, verifyResponses: 'yes' } as never)],
  ['fetch: verifyResponses.require holds a bad name', () => createSigningFetch({ ...fetchBase, verifyResponses: { require: ['bad name'] } })],
  ['fetch: verifyResponses unknown member', () => createSigningFetch({ ...fetchBase, verifyResponses: { required: [] } } as never)],
  ['fetch: acceptSignature with scheme v1', () => createSigningFetch({ ...fetchBase, acceptSignature: true })],
  ['fetch: acceptSignature.maxComponents zero', () => createSigningFetch({ ...fetchBase, scheme: 'rfc9421', acceptSignature: { maxComponents: 0 } })],
  ['fetch: acceptSignature.maxComponents too big', () => createSigningFetch({ ...fetchBase, scheme: 'rfc9421', acceptSignature: { maxComponents: 65 } })],
  ['interceptor: options not an object', () => signingInterceptor(null as never)],
  ['interceptor: unknown option', () => signingInterceptor({ ...fetchBase, fetch: globalThis.fetch } as never)],
  ['interceptor: dispatcherOrigin a number', () => signingInterceptor({ ...fetchBase, dispatcherOrigin: 5 } as never)],
  ['interceptor: verifyResponses.maxBodyBytes zero', () => signingInterceptor({ ...fetchBase, verifyResponses: { maxBodyBytes: 0 } })],
  ['interceptor: acceptSignature not allowed', () => signingInterceptor({ ...fetchBase, acceptSignature: true } as never)],
  ['interceptor: redirect.maxHops not allowed', () => signingInterceptor({ ...fetchBase, redirect: { maxHops: 2 } } as never)],

  // createVerifier
  ['verifier: unknown option', () => createVerifier({ ...verifierBase(), tolerance: 30 } as never)],
  ['verifier: nonceStore not a store', () => createVerifier({ ...verifierBase(), nonceStore: {} } as never)],
  ['verifier: replay a string', () => createVerifier({ ...verifierBase(), replay: 'no' } as never)],
  ['verifier: toleranceSeconds negative', () => createVerifier({ ...verifierBase(), toleranceSeconds: -1 })],
  ['verifier: toleranceSeconds fractional', () => createVerifier({ ...verifierBase(), toleranceSeconds: 1.5 })],
  ['verifier: toleranceSeconds too big', () => createVerifier({ ...verifierBase(), toleranceSeconds: 86_401 })],
  ['verifier: toleranceSeconds a string', () => createVerifier({ ...verifierBase(), toleranceSeconds: '30' } as never)],
  ['verifier: requiredHeaders a string', () => createVerifier({ ...verifierBase(), requiredHeaders: 'date' } as never)],
  ['verifier: requiredHeaders holds null', () => createVerifier({ ...verifierBase(), requiredHeaders: [null] } as never)],
  ['verifier: allowUnsignedContentType a string', () => createVerifier({ ...verifierBase(), allowUnsignedContentType: 'yes' } as never)],
  ['verifier: schemes empty', () => createVerifier({ ...verifierBase(), schemes: [] } as never)],
  ['verifier: schemes twice', () => createVerifier({ ...verifierBase(), schemes: ['v1', 'v1'] } as never)],
  ['verifier: schemes unknown name', () => createVerifier({ ...verifierBase(), schemes: ['v2'] } as never)],
  ['verifier: rfc9421 unknown member', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { labels: 'x' } } as never)],
  ['verifier: rfc9421.allowUnsignedContent a number', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { allowUnsignedContent: 1 } } as never)],
  ['verifier: rfc9421.label empty', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { label: '' } })],
  ['verifier: rfc9421.structuredFields bad type', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { structuredFields: { 'x-a': 'map' } } } as never)],
  ['verifier: rfc9421.requiredComponents holds a number', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { requiredComponents: [5] } } as never)],
  ['verifier: rfc9421.requiredComponents object with extra member', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { requiredComponents: [{ name: 'a', x: 1 }] } } as never)],
  ['verifier: maxBodyBytes negative', () => createVerifier({ ...verifierBase(), maxBodyBytes: -1 })],
  ['verifier: maxBodyBytes too big', () => createVerifier({ ...verifierBase(), maxBodyBytes: 2 ** 32 })],
  ['verifier: requireHttps a number', () => createVerifier({ ...verifierBase(), requireHttps: 1 } as never)],
  ['verifier: trustProxy a string', () => createVerifier({ ...verifierBase(), trustProxy: 'yes' } as never)],
  ['verifier: clock a number', () => createVerifier({ ...verifierBase(), clock: 5 } as never)],
  ['verifier: debug a string', () => createVerifier({ ...verifierBase(), debug: 'on' } as never)],
  ['verifier: onEvent an object', () => createVerifier({ ...verifierBase(), onEvent: {} } as never)],
  ['verifier: keys a number', () => createVerifier({ ...verifierBase(), keys: 5 } as never)],
  ['verifier: keys with a bad id', () => createVerifier({ ...verifierBase(), keys: { 'bad id': KEY } })],
  ['verifier: keys with an empty list', () => createVerifier({ ...verifierBase(), keys: { 'client-1': [] } })],
  ['verifier: keys with a string in a list', () => createVerifier({ ...verifierBase(), keys: { 'client-1': [KEY, 'secret'] } } as never)],
  ['verifier: keys with a number', () => createVerifier({ ...verifierBase(), keys: { 'client-1': 5 } } as never)],
  ['verifier: key entry string without encoding', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: 'c2VjcmV0' } } })],
  ['verifier: key entry unknown encoding', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: 'c2VjcmV0', encoding: 'latin1' } } } as never)],
  ['verifier: key entry unknown member', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, expires: 5 } } } as never)],
  ['verifier: key entry notBefore negative', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, notBefore: -1 } } })],
  ['verifier: key entry notAfter a string', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, notAfter: 'soon' } } } as never)],
  ['verifier: key scope bad method', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, scope: { methods: ['GET POST'] } } } })],
  ['verifier: key scope empty methods', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, scope: { methods: [] } } } })],
  ['verifier: key scope bad prefix', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, scope: { pathPrefixes: ['v1'] } } } })],
  ['verifier: key scope unknown member', () => createVerifier({ ...verifierBase(), keys: { 'client-1': { key: KEY, scope: { hosts: ['a'] } } } } as never)],
  ['verifier: key list of a bad entry', () => createVerifier({ ...verifierBase(), keys: { 'client-1': [{ key: KEY, scope: { methods: ['a b'] } }] } })],

  // MemoryNonceStore
  ['memory store: unknown option', () => new MemoryNonceStore({ max: 5 } as never)],
  ['memory store: maxEntries zero', () => new MemoryNonceStore({ maxEntries: 0 })],
  ['memory store: maxEntries too big', () => new MemoryNonceStore({ maxEntries: 50_000_001 })],
  ['memory store: maxEntries a string', () => new MemoryNonceStore({ maxEntries: '5' } as never)],
  ['memory store: maxEntriesPerKey above maxEntries', () => new MemoryNonceStore({ maxEntries: 10, maxEntriesPerKey: 11 })],
  ['memory store: clock a number', () => new MemoryNonceStore({ clock: 5 } as never)],
  ['memory store: options a number', () => new MemoryNonceStore(5 as never)],

  // RedisNonceStore
  ['redis: no options', () => new RedisNonceStore(undefined as never)],
  ['redis: client missing', () => new RedisNonceStore({} as never)],
  ['redis: client not a client', () => new RedisNonceStore({ client: {} } as never)],
  ['redis: cluster without nodeClient', () => new RedisNonceStore({ client: { sendCommand: async () => 1, masters: [] } } as never)],
  ['redis: unknown option', () => new RedisNonceStore({ client: redis, timeout: 100 } as never)],
  ['redis: prefix too long', () => new RedisNonceStore({ client: redis, prefix: 'p'.repeat(257) })],
  ['redis: prefix a number', () => new RedisNonceStore({ client: redis, prefix: 5 } as never)],
  ['redis: timeoutMs zero', () => new RedisNonceStore({ client: redis, timeoutMs: 0 })],
  ['redis: timeoutMs too big', () => new RedisNonceStore({ client: redis, timeoutMs: 60_001 })],
  ['redis: allowEvictingPolicy a string', () => new RedisNonceStore({ client: redis, allowEvictingPolicy: 'yes' } as never)],
  ['redis: waitReplicas too big', () => new RedisNonceStore({ client: redis, waitReplicas: 17 })],
  ['redis: onEvent a string', () => new RedisNonceStore({ client: redis, onEvent: 'x' } as never)],

  // PostgresNonceStore
  ['postgres: no options', () => new PostgresNonceStore(undefined as never)],
  ['postgres: client not a client', () => new PostgresNonceStore({ client: {} } as never)],
  ['postgres: unknown option', () => new PostgresNonceStore({ client: pg, timeout: 100 } as never)],
  ['postgres: table a number', () => new PostgresNonceStore({ client: pg, table: 5 } as never)],
  ['postgres: timeoutMs fractional', () => new PostgresNonceStore({ client: pg, timeoutMs: 1.5 })],
  ['postgres: purgeIntervalMs too small', () => new PostgresNonceStore({ client: pg, purgeIntervalMs: 999 })],
  ['postgres: purgeBatchSize too big', () => new PostgresNonceStore({ client: pg, purgeBatchSize: 100_001 })],
  ['postgres: purgeDelayMs negative', () => new PostgresNonceStore({ client: pg, purgeDelayMs: -1 })],
  ['postgres: clock a number', () => new PostgresNonceStore({ client: pg, clock: 5 } as never)],

  // createWebhookSender
  ['webhooks: no options', () => createWebhookSender(undefined as never)],
  ['webhooks: secrets missing', () => createWebhookSender({} as never)],
  ['webhooks: secrets a number', () => createWebhookSender({ secrets: 5 } as never)],
  ['webhooks: secrets empty list', () => createWebhookSender({ secrets: [] } as never)],
  ['webhooks: secrets too many', () => createWebhookSender({ secrets: Array(9).fill(SECRET) })],
  ['webhooks: unknown option', () => createWebhookSender({ secrets: SECRET, retries: 2 } as never)],
  ['webhooks: allowHttp a string', () => createWebhookSender({ secrets: SECRET, allowHttp: 'yes' } as never)],
  ['webhooks: allow unknown member', () => createWebhookSender({ secrets: SECRET, allow: { ips: [] } } as never)],
  ['webhooks: allow.cidrs bad', () => createWebhookSender({ secrets: SECRET, allow: { cidrs: ['10.0.0.1/8'] } })],
  ['webhooks: allow.hosts bad', () => createWebhookSender({ secrets: SECRET, allow: { hosts: ['a b'] } })],
  ['webhooks: allow.hosts too many', () => createWebhookSender({ secrets: SECRET, allow: { hosts: Array(1025).fill('a') } })],
  ['webhooks: lookup a string', () => createWebhookSender({ secrets: SECRET, lookup: 'dns' } as never)],
  ['webhooks: tls.ca a number', () => createWebhookSender({ secrets: SECRET, tls: { ca: 5 } } as never)],
  ['webhooks: tls.ca list with a number', () => createWebhookSender({ secrets: SECRET, tls: { ca: ['x', 5] } } as never)],
  ['webhooks: timeoutMs zero', () => createWebhookSender({ secrets: SECRET, timeoutMs: 0 })],
  ['webhooks: timeoutMs too big', () => createWebhookSender({ secrets: SECRET, timeoutMs: 600_001 })],
  ['webhooks: maxAttempts zero', () => createWebhookSender({ secrets: SECRET, maxAttempts: 0 })],
  ['webhooks: jitter above 1', () => createWebhookSender({ secrets: SECRET, jitter: 1.5 })],
  ['webhooks: jitter a string', () => createWebhookSender({ secrets: SECRET, jitter: 'x' } as never)],
  ['webhooks: maxPayloadBytes fractional', () => createWebhookSender({ secrets: SECRET, maxPayloadBytes: 1.5 })],
  ['webhooks: userAgent with a newline', () => createWebhookSender({ secrets: SECRET, userAgent: 'a\nb' })],
  ['webhooks: userAgent a number', () => createWebhookSender({ secrets: SECRET, userAgent: 5 } as never)],
  ['webhooks: random a number', () => createWebhookSender({ secrets: SECRET, random: 0.5 } as never)],

  // core webhook schemes
  ['scheme: secrets missing', () => stripeScheme({} as never)],
  ['scheme: secrets a number', () => githubScheme({ secrets: 5 } as never)],
  ['scheme: secrets too many', () => standardWebhooksScheme({ secrets: Array(17).fill(SECRET) })],
  ['scheme: unknown option', () => stripeScheme({ secrets: 'whsec_x', tolerance: 5 } as never)],
  ['scheme: toleranceSeconds negative', () => stripeScheme({ secrets: 'whsec_x', toleranceSeconds: -1 })],
  ['scheme: retentionSeconds zero', () => stripeScheme({ secrets: 'whsec_x', retentionSeconds: 0 })],

  // vector files
  ['vectors: not an object', () => parseVectorFile(5)],
  ['vectors: no vectors', () => parseVectorFile({ title: 't', description: 'd', vectors: [] })],
  ['vectors: unknown kind', () => parseVectorFile({ title: 't', description: 'd', vectors: [{ kind: 'other' }] })],
  ['vectors: bad id', () => parseVectorFile({ title: 't', description: 'd', vectors: [{ kind: 'negative', id: 'A B' }] })],
  ['rfc9421 vectors: unknown member', () => parseRfc9421VectorFile({ title: 't', description: 'd', vectors: [], extra: 1 })],
  ['webhook vectors: missing title', () => parseWebhookVectorFile({ description: 'd', vectors: [] })],
  // adapters' signResponses (issue 14), and rfc9421.acceptSignature
  ['adapter: signResponses a string', () => sigilListener(createVerifier(verifierBase()), () => undefined, { signResponses: 'yes' as never })],
  ['adapter: signResponses unknown member', () => sigilListener(createVerifier(verifierBase()), () => undefined, { signResponses: { header: ['etag'] } as never })],
  ['adapter: signResponses.maxBodyBytes negative', () => sigilListener(createVerifier(verifierBase()), () => undefined, { signResponses: { maxBodyBytes: -1 } })],
  ['adapter: signResponses.headers holds a bad name', () => sigilListener(createVerifier(verifierBase()), () => undefined, { signResponses: { headers: ['bad header'] } })],
  ['verifier: rfc9421.acceptSignature a string', () => createVerifier({ ...verifierBase(), schemes: ['rfc9421'], rfc9421: { acceptSignature: 'yes' } } as never)],
];

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    const e = error as { code?: string; message: string };
    return `${e.code ?? 'no code'}: ${e.message}`;
  }
  return 'did not throw';
}

const GOLDEN = new URL('./messages.json', import.meta.url);

describe('option error messages (pinned across the zod -> zod/mini move)', () => {
  const actual = Object.fromEntries(cases.map(([name, run]) => [name, message(run)]));
  if (process.env.SIGIL_RECORD_MESSAGES === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
  const expected = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;

  it("runs with no zod locale loaded, as in a user's bundle: the messages are Sigil's own", () => {
    expect(z.config().localeError).toBeUndefined();
    const bare = z.number().safeParse('1');
    expect(!bare.success && bare.error.issues[0]!.message).toBe('Invalid input');
  });

  it('covers every pinned case', () => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(cases.map(([name]) => name))('%s', (name) => {
    expect(actual[name]).toBe(expected[name]);
  });
});
