// Deliveries over real loopback sockets: what the receiver sees, how the
// sender retries, waits, gives up and cancels, and what it reports.
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { isSigilError } from '@sigil/core';
import { generateWebhookSecret } from '@sigil/core/webhooks';
import { MemoryNonceStore } from '@sigil/verify';
import { createWebhookSender, type WebhookFailed, type WebhookLookup } from '@sigil/webhooks';
import { ok, startReceiver, type Answer, type Delivery, type Receiver } from './helpers/receiver.js';
import { loopbackSender, SECRET, verifyDelivery } from './helpers/sender.js';

const open: Receiver[] = [];
async function receiver(answer: Answer = ok): Promise<Receiver> {
  const r = await startReceiver(answer);
  open.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

const message = { type: 'invoice.paid', payload: { invoice: 'in_1', amount: 4200, note: 'PAYLOAD-MARKER' } };
const headerRecord = (d: Delivery) => Object.fromEntries(Object.entries(d.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
/** Answers each delivery with the next status of `statuses` (the last one repeats). */
const script = (...statuses: number[]): Answer => (res, _d, i) => res.writeHead(statuses[Math.min(i, statuses.length - 1)]!).end();

describe('signing', () => {
  it('the standardwebhooks npm package verifies every delivery, retries included, over a real socket', async () => {
    const r = await receiver(script(503, 500, 200));
    const { sender } = loopbackSender();
    const result = await sender.send(r.url, message);
    expect(result).toMatchObject({ ok: true, attempts: 3, statusCode: 200 });
    const wh = new Webhook(SECRET);
    for (const delivery of r.deliveries) {
      expect(wh.verify(delivery.body, headerRecord(delivery))).toEqual({ type: 'invoice.paid', timestamp: expect.any(String), data: message.payload });
    }
    expect(r.deliveries).toHaveLength(3);
  });

  it('during a rotation every secret signs (space-separated v1 entries); a receiver holding either verifies', async () => {
    const r = await receiver();
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const { sender } = loopbackSender({ secrets: [oldSecret, newSecret] });
    expect((await sender.send(r.url, message)).ok).toBe(true);
    const [delivery] = r.deliveries;
    expect(String(delivery!.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    for (const secret of [oldSecret, newSecret]) {
      expect(() => new Webhook(secret).verify(delivery!.body, headerRecord(delivery!))).not.toThrow();
      expect(verifyDelivery(delivery!, secret)).toMatchObject({ ok: true });
    }
    expect(() => new Webhook(SECRET).verify(delivery!.body, headerRecord(delivery!))).toThrow();
  });

  it('sends the Standard Webhooks envelope as JSON, with the given id and event time', async () => {
    const r = await receiver();
    const { sender } = loopbackSender();
    const at = new Date('2026-01-02T03:04:05.000Z');
    await sender.send(r.url, { id: 'evt_123', type: 'user.created', payload: [1, 'two'], timestamp: at });
    const [delivery] = r.deliveries;
    expect(delivery!.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'evt_123', 'user-agent': 'Sigil-Webhooks/1' });
    expect(JSON.parse(delivery!.body.toString())).toEqual({ type: 'user.created', timestamp: '2026-01-02T03:04:05.000Z', data: [1, 'two'] });
    expect(delivery!.url).toBe('/hook');
  });

  it('without an id each delivery gets a fresh msg_ id', async () => {
    const r = await receiver();
    const { sender } = loopbackSender();
    const a = await sender.send(r.url, message);
    const b = await sender.send(r.url, message);
    expect(a.id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(a.id).not.toBe(b.id);
    expect(r.deliveries.map((d) => d.headers['webhook-id'])).toEqual([a.id, b.id]);
  });
});

describe('retries without replay', () => {
  it('a flaky receiver sees one webhook-id with fresh timestamps; deduping on it processes the event exactly once', async () => {
    // The receiver's clock and the sender's advance 7 s per delivery, so
    // each attempt's timestamp is visibly fresh.
    let offsetMs = 0;
    const store = new MemoryNonceStore();
    const processed: string[] = [];
    const r = await receiver((res, delivery, index) => {
      offsetMs += 7_000;
      const verified = verifyDelivery(delivery);
      if (!verified.ok) return res.writeHead(401).end();
      void store.checkAndStore('webhooks', verified.replay.key, Date.now() + verified.replay.retentionSeconds * 1000).then((first) => {
        if (first) processed.push(String(delivery.headers['webhook-id']));
        // Attempt 1: the socket dies after processing (the ack is lost);
        // attempt 2: a 503; attempt 3: acknowledged (a replay: not processed again).
        if (index === 0) res.socket?.destroy();
        else res.writeHead(index === 1 ? 503 : 200).end();
      });
    });
    const { sender, events } = loopbackSender({ clock: () => Date.now() + offsetMs });
    const result = await sender.send(r.url, message);
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(new Set(r.deliveries.map((d) => d.headers['webhook-id']))).toEqual(new Set([result.id]));
    const stamps = r.deliveries.map((d) => Number(d.headers['webhook-timestamp']));
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(6);
    expect(stamps[2]! - stamps[1]!).toBeGreaterThanOrEqual(6);
    expect(new Set(r.deliveries.map((d) => d.headers['webhook-signature'])).size).toBe(3);
    expect(processed).toEqual([result.id]);
    expect(events.map((e) => [e.attempt, e.outcome, e.statusCode ?? e.error])).toEqual([
      [1, 'retry', 'network'],
      [2, 'retry', 503],
      [3, 'delivered', 200],
    ]);
  });

  it.each([408, 429, 500, 502, 503, 504, 599])('%i is retried', async (status) => {
    const r = await receiver(script(status, 204));
    const { sender } = loopbackSender();
    expect(await sender.send(r.url, message)).toMatchObject({ ok: true, attempts: 2, statusCode: 204 });
  });

  it.each([400, 401, 403, 404, 409, 410, 413, 422])('%i is final: no second attempt', async (status) => {
    const r = await receiver(script(status, 204));
    const { sender } = loopbackSender();
    expect(await sender.send(r.url, message)).toMatchObject({ ok: false, reason: 'rejected', attempts: 1, statusCode: status });
    expect(r.deliveries).toHaveLength(1);
  });

  it('the attempt cap: an always-503 receiver gets exactly maxAttempts deliveries', async () => {
    const r = await receiver(script(503));
    const { sender, events } = loopbackSender({ maxAttempts: 4, random: () => 0 });
    expect(await sender.send(r.url, message)).toMatchObject({ ok: false, reason: 'attempts_exhausted', attempts: 4, statusCode: 503 });
    expect(r.deliveries).toHaveLength(4);
    // Backoff 5, 10, 20 ms (initialDelayMs 5, doubling, no jitter drawn), then no next delay.
    expect(events.map((e) => e.nextDelayMs)).toEqual([5, 10, 20, undefined]);
    expect(events.map((e) => e.outcome)).toEqual(['retry', 'retry', 'retry', 'failed']);
  });

  it('backoff doubles up to maxDelayMs and jitter only shortens it, by at most the jitter fraction', async () => {
    const r = await receiver(script(500));
    const { sender, events } = loopbackSender({ maxAttempts: 6, initialDelayMs: 4, maxDelayMs: 20, jitter: 0.5, random: () => 0.999 });
    await sender.send(r.url, message);
    expect(events.slice(0, 5).map((e) => e.nextDelayMs)).toEqual([2, 4, 8, 10, 10]);
  });

  it('the per-attempt timeout: a receiver that never answers fails each attempt with timeout', async () => {
    const r = await receiver(() => undefined);
    const { sender, events } = loopbackSender({ timeoutMs: 100, maxAttempts: 2 });
    expect(await sender.send(r.url, message)).toMatchObject({ ok: false, reason: 'attempts_exhausted', attempts: 2, error: 'timeout' });
    expect(events.map((e) => e.error)).toEqual(['timeout', 'timeout']);
  });

  it('the total-time cap: no wait is started that would end past maxTotalMs', async () => {
    const r = await receiver(script(503));
    const { sender } = loopbackSender({ maxTotalMs: 250, initialDelayMs: 100, maxDelayMs: 1000, jitter: 0, maxAttempts: 10 });
    const started = Date.now();
    const result = await sender.send(r.url, message);
    expect(result).toMatchObject({ ok: false, reason: 'deadline', statusCode: 503 });
    // 100 + 200 ms of backoff would cross 250 ms: two attempts, not ten.
    expect(r.deliveries).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a name that does not resolve is a retryable dns error', async () => {
    const lookup: WebhookLookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const { sender } = loopbackSender({ lookup, maxAttempts: 2 });
    expect(await sender.send('http://nowhere.invalid/', message)).toMatchObject({ ok: false, reason: 'attempts_exhausted', attempts: 2, error: 'dns' });
  });
});

describe('Retry-After', () => {
  it('seconds are honoured', async () => {
    const r = await receiver((res, _d, i) => (i === 0 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end()));
    const { sender, events } = loopbackSender();
    const result = await sender.send(r.url, message);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(events[0]).toMatchObject({ outcome: 'retry', statusCode: 429, nextDelayMs: 1000 });
    expect(r.deliveries[1]!.at - r.deliveries[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('an HTTP-date is honoured, relative to the sender clock', async () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const r = await receiver((res, _d, i) =>
      i === 0 ? res.writeHead(503, { 'retry-after': new Date(now + 300).toUTCString() }).end() : res.writeHead(200).end());
    const { sender, events } = loopbackSender({ clock: () => now });
    await sender.send(r.url, message);
    // An HTTP-date has whole seconds: 12:00:00 is "now", so no wait.
    expect(events[0]!.nextDelayMs).toBe(0);
    const r2 = await receiver((res, _d, i) => (i === 0 ? res.writeHead(503, { 'retry-after': 'Sun, 01 Mar 2026 12:00:02 GMT' }).end() : res.writeHead(200).end()));
    const second = loopbackSender({ clock: () => now, maxRetryAfterMs: 5_000 });
    const started = Date.now();
    await second.sender.send(r2.url, message);
    expect(second.events[0]!.nextDelayMs).toBe(2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('a long Retry-After is capped at maxRetryAfterMs (seconds and dates alike)', async () => {
    const r = await receiver((res, _d, i) =>
      res.writeHead(i < 2 ? 429 : 200, i === 0 ? { 'retry-after': '86400' } : { 'retry-after': 'Fri, 31 Dec 2100 23:59:59 GMT' }).end());
    const { sender, events } = loopbackSender({ maxRetryAfterMs: 30 });
    expect((await sender.send(r.url, message)).ok).toBe(true);
    expect(events.slice(0, 2).map((e) => e.nextDelayMs)).toEqual([30, 30]);
  });

  it('a Retry-After past the total-time cap ends the delivery at once', async () => {
    const r = await receiver(script(429));
    const started = Date.now();
    const { sender } = loopbackSender({ maxTotalMs: 5_000, maxRetryAfterMs: 60_000 });
    const slow = await receiver((res) => res.writeHead(429, { 'retry-after': '60' }).end());
    expect(await sender.send(slow.url, message)).toMatchObject({ ok: false, reason: 'deadline', attempts: 1, statusCode: 429 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.deliveries).toHaveLength(0);
  });

  it('a malformed Retry-After falls back to the backoff', async () => {
    const r = await receiver((res, _d, i) => res.writeHead(i === 0 ? 503 : 200, { 'retry-after': 'soon' }).end());
    const { sender, events } = loopbackSender({ random: () => 0 });
    await sender.send(r.url, message);
    expect(events[0]!.nextDelayMs).toBe(5);
  });
});

describe('cancellation', () => {
  it('aborts during a backoff wait', async () => {
    const r = await receiver(script(503));
    const controller = new AbortController();
    const { sender } = loopbackSender({ initialDelayMs: 10_000, maxDelayMs: 10_000, onEvent: () => setTimeout(() => controller.abort(), 20) });
    const started = Date.now();
    expect(await sender.send(r.url, message, { signal: controller.signal })).toMatchObject({ ok: false, reason: 'aborted', attempts: 1 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('aborts while waiting for the response', async () => {
    let seen = 0;
    const r = await receiver(() => seen++);
    const { sender } = loopbackSender({ timeoutMs: 10_000 });
    const started = Date.now();
    const result = await sender.send(r.url, message, { signal: AbortSignal.timeout(100) });
    expect(result).toMatchObject({ ok: false, reason: 'aborted', attempts: 1 });
    expect(seen).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('aborts during resolution (a resolver that never answers), before any connect', async () => {
    const lookup: WebhookLookup = () => new Promise(() => undefined);
    const { sender } = loopbackSender({ lookup, timeoutMs: 10_000 });
    expect(await sender.send('http://slow-dns.example/', message, { signal: AbortSignal.timeout(50) })).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it('aborts during the connect (a resolver that answers only after the abort)', async () => {
    const r = await receiver();
    const controller = new AbortController();
    const lookup: WebhookLookup = async () => {
      controller.abort();
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const { sender } = loopbackSender({ lookup });
    expect(await sender.send(`http://hooks.example:${r.port}/`, message, { signal: controller.signal })).toMatchObject({ ok: false, reason: 'aborted' });
    expect(r.deliveries).toHaveLength(0);
  });

  it('an already-aborted signal sends nothing', async () => {
    const r = await receiver();
    const { sender } = loopbackSender();
    expect(await sender.send(r.url, message, { signal: AbortSignal.abort() })).toMatchObject({ ok: false, reason: 'aborted', attempts: 0 });
    expect(r.deliveries).toHaveLength(0);
  });
});

describe('limits', () => {
  it('the payload cap: a body over maxPayloadBytes is refused with body_too_large and nothing is sent', async () => {
    const r = await receiver();
    const { sender } = loopbackSender({ maxPayloadBytes: 200 });
    expect((await sender.send(r.url, { type: 't', payload: 'x'.repeat(100) })).ok).toBe(true);
    const error = await sender.send(r.url, { type: 't', payload: 'x'.repeat(200) }).catch((e: unknown) => e);
    expect(isSigilError(error, 'body_too_large')).toBe(true);
    expect(r.deliveries).toHaveLength(1);
  });

  it('the response-body cap: of a 64 MiB answer the sender reads at most maxResponseBytes and drops the connection', async () => {
    let written = 0;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const r = await receiver((res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', closed);
      pump();
    });
    const { sender } = loopbackSender({ maxResponseBytes: 1024 });
    expect(await sender.send(r.url, message)).toMatchObject({ ok: true, statusCode: 200 });
    await done;
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('events carry no secret, signature, payload, path or query', async () => {
    const r = await receiver(script(503, 200));
    const { sender, events } = loopbackSender();
    await sender.send(`${r.url}?token=QUERY-MARKER`, message);
    const signatures = r.deliveries.map((d) => String(d.headers['webhook-signature']).slice(3));
    const shown = JSON.stringify(events);
    for (const forbidden of [SECRET, SECRET.slice(6), ...signatures, 'PAYLOAD-MARKER', 'QUERY-MARKER', '/hook']) expect(shown).not.toContain(forbidden);
    expect(events[0]).toEqual({ type: 'webhook.attempt', id: expect.any(String), attempt: 1, origin: `http://127.0.0.1:${r.port}`, outcome: 'retry', statusCode: 503, latencyMs: expect.any(Number), nextDelayMs: expect.any(Number) });
  });

  it('a throwing onEvent listener does not change the delivery', async () => {
    const r = await receiver();
    const { sender } = loopbackSender({ onEvent: () => {
      throw new Error('listener bug');
    } });
    expect((await sender.send(r.url, message)).ok).toBe(true);
  });
});

describe('validation', () => {
  const secretShown = 'whsec_c2hvcnQ=';
  it.each([
    [{ secrets: secretShown }, 'secrets'],
    [{ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'not-a-secret-VALUE'] }, 'secrets.1'],
    [{ secrets: [] }, 'secrets'],
    [{ secrets: SECRET, maxAttempts: 0 }, 'maxAttempts'],
    [{ secrets: SECRET, timeoutMs: -1 }, 'timeoutMs'],
    [{ secrets: SECRET, jitter: 2 }, 'jitter'],
    [{ secrets: SECRET, allow: { cidrs: ['10.0.0.1/8'] } }, 'allow.cidrs.0'],
    [{ secrets: SECRET, allow: { hosts: ['bad host'] } }, 'allow.hosts.0'],
    [{ secrets: SECRET, lookup: 'dns' }, 'lookup'],
    [{ secrets: SECRET, initialDelayMs: 100, maxDelayMs: 10 }, 'maxDelayMs'],
    [{ secrets: SECRET, surprise: true }, 'options'],
  ])('%j is refused at construction, naming %s', (options, name) => {
    let error: unknown;
    try {
      createWebhookSender(options as never);
    } catch (e) {
      error = e;
    }
    expect(isSigilError(error, 'invalid_option')).toBe(true);
    expect((error as Error).message).toContain(name === 'options' ? 'invalid' : `${name}:`);
    expect((error as Error).message).not.toMatch(/c2hvcnQ|not-a-secret-VALUE|10\.0\.0\.1|bad host/);
  });

  it.each([
    ['id', { id: 'a.b', type: 't', payload: 1 }],
    ['type', { type: '', payload: 1 }],
    ['payload', { type: 't' }],
    ['payload', { type: 't', payload: 1n }],
    ['timestamp', { type: 't', payload: 1, timestamp: new Date(Number.NaN) }],
  ])('send() with a bad %s rejects with invalid_option naming it', async (name, bad) => {
    const { sender } = loopbackSender();
    const error = await sender.send('http://127.0.0.1:9/', bad as never).catch((e: unknown) => e);
    expect(isSigilError(error, 'invalid_option')).toBe(true);
    expect((error as Error).message).toContain(`${name}:`);
  });

  it('the sender shows no secret when inspected or serialised', async () => {
    const { inspect } = await import('node:util');
    const { sender } = loopbackSender();
    expect(inspect(sender, { depth: 5, showHidden: true }) + JSON.stringify(sender)).not.toContain(SECRET.slice(6, 20));
  });
});

export type { WebhookFailed };
