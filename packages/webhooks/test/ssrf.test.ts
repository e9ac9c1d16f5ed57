// An attacker who controls a webhook URL tries to turn the sender into a
// probe of the sender's own network. Every refusal happens before any
// socket exists: the connect spy sees no connect at all. The only traffic
// these tests send goes to loopback receivers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSigilError } from '@sigil/core';
import { createWebhookSender, type WebhookFailed, type WebhookLookup, type WebhookResult } from '@sigil/webhooks';
import { SAMPLES_BY_RULE } from './helpers/samples.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { SECRET } from './helpers/sender.js';
import { spyOnConnects, type ConnectSpy } from './helpers/sockets.js';

let spy: ConnectSpy;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver((res, _d, i) => (i === 0 ? res.writeHead(503).end() : res.writeHead(204).end()));
});
afterAll(() => receiver.close());
afterEach(() => spy?.restore());

const message = { type: 'invoice.paid', payload: { invoice: 'in_1' } };
const refusedHere = (result: WebhookResult, rule: string) => {
  expect(result.ok).toBe(false);
  const failed = result as WebhookFailed;
  expect({ reason: failed.reason, rule: failed.rule }).toEqual({ reason: 'destination_not_allowed', rule });
  expect(isSigilError(failed.cause, 'destination_not_allowed')).toBe(true);
  expect(failed.cause!.message).toBe(`the webhook destination is not allowed: ${rule}`);
};
const answering = (address: string): WebhookLookup => async () => [{ address, family: address.includes(':') ? 6 : 4 }];

function urlFor(address: string): string {
  return address.includes(':') ? `https://[${address}]/hook` : `https://${address}/hook`;
}

describe('attacker points a webhook at a blocked range by literal URL', () => {
  it.each(SAMPLES_BY_RULE)('%s (%s) is refused before any connect', async (address, rule) => {
    spy = spyOnConnects();
    const result = await createWebhookSender({ secrets: SECRET }).send(urlFor(address), message);
    refusedHere(result, rule);
    expect(spy.hosts).toEqual([]);
  });
});

describe('attacker hides a blocked address behind a name (custom resolver answers it)', () => {
  it.each(SAMPLES_BY_RULE)('a name resolving to %s (%s) is refused before any connect', async (address, rule) => {
    spy = spyOnConnects();
    const asked: string[] = [];
    const lookup: WebhookLookup = async (hostname) => {
      asked.push(hostname);
      return [{ address, family: 4 }];
    };
    const result = await createWebhookSender({ secrets: SECRET, lookup }).send('https://hooks.customer.example/in', message);
    refusedHere(result, rule);
    expect(asked).toEqual(['hooks.customer.example']);
    expect(spy.hosts).toEqual([]);
  });
});

describe('attacker spells loopback and metadata addresses in other forms', () => {
  it.each([
    ['https://2130706433/', 'loopback'],
    ['https://0177.0.0.1/', 'loopback'],
    ['https://0x7f.1/', 'loopback'],
    ['https://0x7f000001/', 'loopback'],
    ['https://017700000001/', 'loopback'],
    ['https://127.1/', 'loopback'],
    ['https://0/', 'unspecified'],
    ['https://[::ffff:127.0.0.1]/', 'loopback'],
    ['https://[::ffff:7f00:1]/', 'loopback'],
    ['https://[0:0:0:0:0:ffff:127.0.0.1]/', 'loopback'],
    ['https://[::127.0.0.1]/', 'loopback'],
    ['https://[64:ff9b::127.0.0.1]/', 'loopback'],
    ['https://[64:ff9b::a9fe:a9fe]/', 'link-local'],
    ['https://[2002:7f00:1::]/', 'loopback'],
    ['https://[2002:a00:5::1]/', 'private'],
    ['https://169.254.169.254/latest/meta-data/iam/', 'link-local'],
    ['https://0xa9fea9fe/latest/meta-data/', 'link-local'],
    ['https://[::ffff:169.254.169.254]/', 'link-local'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'unique-local'],
    ['https://[fe80::a9fe:a9fe]/', 'link-local'],
    ['https://100.100.100.200/', 'cgnat'],
    ['https://192.168.0.1./', 'private'],
  ])('%s is refused as %s', async (url, rule) => {
    spy = spyOnConnects();
    refusedHere(await createWebhookSender({ secrets: SECRET }).send(url, message), rule);
    expect(spy.hosts).toEqual([]);
  });

  it.each([
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.5', 'private'],
    ['2002:c0a8:0101::', 'private'],
  ])('a resolver answering %s is refused as %s (the answer is parsed as the OS would read it)', async (address, rule) => {
    spy = spyOnConnects();
    refusedHere(await createWebhookSender({ secrets: SECRET, lookup: answering(address) }).send('https://hooks.customer.example/', message), rule);
    expect(spy.hosts).toEqual([]);
  });

  it('a resolver answer that is not an address is refused as invalid-address', async () => {
    spy = spyOnConnects();
    refusedHere(await createWebhookSender({ secrets: SECRET, lookup: answering('localhost') }).send('https://a.example/', message), 'invalid-address');
    expect(spy.hosts).toEqual([]);
  });

  it('the error and the events never echo the refused address', async () => {
    spy = spyOnConnects();
    const events: unknown[] = [];
    const result = await createWebhookSender({ secrets: SECRET, lookup: answering('10.11.12.13'), onEvent: (e) => events.push(e) }).send('https://a.example/', message);
    const shown = JSON.stringify({ result, events, message: (result as WebhookFailed).cause?.message });
    expect(shown).not.toMatch(/10\.11\.12\.13|0a0b|a0b:c0d/);
    expect(shown).toContain('private');
  });
});

describe('attacker uses a name with several answers, one of them private', () => {
  it('refuses when ANY answer is blocked, even if the first is allowed', async () => {
    spy = spyOnConnects();
    const lookup: WebhookLookup = async () => [{ address: '127.0.0.1', family: 4 }, { address: '10.0.0.5', family: 4 }];
    const sender = createWebhookSender({ secrets: SECRET, allowHttp: true, lookup, allow: { cidrs: ['127.0.0.1/32'] } });
    refusedHere(await sender.send(`http://hooks.customer.example:${receiver.port}/`, message), 'private');
    expect(spy.hosts).toEqual([]);
  });
});

describe('attacker rebinds DNS: public (allowlisted loopback) when checked, private afterwards', () => {
  it('each attempt resolves once and connects to exactly the checked answer; the private answer is refused', async () => {
    spy = spyOnConnects();
    const answers = ['127.0.0.1', '10.0.0.5'];
    const asked: string[] = [];
    const lookup: WebhookLookup = async (hostname) => {
      asked.push(hostname);
      return [{ address: answers[Math.min(asked.length - 1, answers.length - 1)]!, family: 4 }];
    };
    const before = receiver.deliveries.length;
    const sender = createWebhookSender({ secrets: SECRET, allowHttp: true, lookup, allow: { cidrs: ['127.0.0.1/32'] }, initialDelayMs: 1 });
    // The receiver answers 503 to its first delivery, so a second attempt resolves again.
    const result = await sender.send(`http://rebind.customer.example:${receiver.port}/hook`, message);
    refusedHere(result, 'private');
    expect(result.attempts).toBe(2);
    expect(asked).toEqual(['rebind.customer.example', 'rebind.customer.example']);
    // One connect, to the address checked on attempt 1; none for attempt 2.
    expect(spy.hosts).toEqual(['127.0.0.1']);
    expect(receiver.deliveries.length - before).toBe(1);
    expect(receiver.deliveries.at(-1)!.headers.host).toBe(`rebind.customer.example:${receiver.port}`);
  });

  it('a public answer is what the socket connects to (intercepted: no packet leaves the host)', async () => {
    spy = spyOnConnects();
    const sender = createWebhookSender({ secrets: SECRET, lookup: answering('93.184.215.14'), maxAttempts: 1 });
    const result = await sender.send('https://hooks.customer.example/in', message);
    expect(result).toMatchObject({ ok: false, reason: 'attempts_exhausted', error: 'network' });
    expect(spy.hosts).toEqual(['93.184.215.14']);
  });
});

describe('attacker redirects a delivery toward a private address', () => {
  let redirector: Receiver;
  beforeAll(async () => {
    redirector = await startReceiver((res, delivery) => {
      const target = delivery.url === '/to-metadata' ? 'http://169.254.169.254/latest/meta-data/' : delivery.url === '/to-name' ? 'http://internal.customer.example/' : delivery.url === '/to-ftp' ? 'ftp://127.0.0.1/' : `http://127.0.0.1:${receiver.port}/hook`;
      res.writeHead(delivery.url === '/found' ? 302 : 307, { location: target }).end();
    });
  });
  afterAll(() => redirector.close());

  const base = (path: string) => `http://127.0.0.1:${redirector.port}${path}`;
  const allowLoopback = { secrets: SECRET, allowHttp: true, allow: { cidrs: ['127.0.0.0/8'] } } as const;

  it('by default a redirect is not followed at all', async () => {
    spy = spyOnConnects();
    const result = await createWebhookSender(allowLoopback).send(base('/to-loopback'), message);
    expect(result).toMatchObject({ ok: false, reason: 'redirect', statusCode: 307, attempts: 1 });
    expect(spy.hosts).toEqual(['127.0.0.1']);
  });

  it('when redirects are followed, a hop to 169.254.169.254 is refused before connecting', async () => {
    spy = spyOnConnects();
    const result = await createWebhookSender({ ...allowLoopback, maxRedirects: 3 }).send(base('/to-metadata'), message);
    refusedHere(result, 'link-local');
    expect(spy.hosts).toEqual(['127.0.0.1']);
  });

  it('when redirects are followed, a hop to a name resolving privately is refused before connecting', async () => {
    spy = spyOnConnects();
    const lookup: WebhookLookup = async () => [{ address: '192.168.1.20', family: 4 }];
    refusedHere(await createWebhookSender({ ...allowLoopback, maxRedirects: 3, lookup }).send(base('/to-name'), message), 'private');
    expect(spy.hosts).toEqual(['127.0.0.1']);
  });

  it('when redirects are followed, the scheme rule applies to every hop', async () => {
    spy = spyOnConnects();
    refusedHere(await createWebhookSender({ ...allowLoopback, maxRedirects: 3 }).send(base('/to-ftp'), message), 'scheme');
    // An HTTPS-only sender never speaks cleartext to the (plain-HTTP) redirector: the TLS handshake fails.
    const httpsOnly = await createWebhookSender({ secrets: SECRET, allow: { cidrs: ['127.0.0.0/8'] }, maxRedirects: 3, maxAttempts: 1 }).send(`https://127.0.0.1:${redirector.port}/x`, message);
    expect(httpsOnly).toMatchObject({ ok: false, reason: 'attempts_exhausted' });
  });

  it('an allowed hop is followed (307 keeps the method and the signed body), and 302 is never followed', async () => {
    spy = spyOnConnects();
    const before = receiver.deliveries.length;
    const result = await createWebhookSender({ ...allowLoopback, maxRedirects: 1, initialDelayMs: 1 }).send(base('/to-loopback'), message);
    expect(result.ok).toBe(true);
    expect(receiver.deliveries.length).toBeGreaterThan(before);
    const found = await createWebhookSender({ ...allowLoopback, maxRedirects: 3 }).send(base('/found'), message);
    expect(found).toMatchObject({ ok: false, reason: 'redirect', statusCode: 302 });
  });
});

describe('attacker uses plain HTTP, credentials or other schemes', () => {
  it.each([
    ['http://127.0.0.1/', 'scheme'],
    ['http://hooks.example/', 'scheme'],
    ['ftp://hooks.example/', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['gopher://127.0.0.1:6379/_FLUSHALL', 'scheme'],
    ['https://user:pass@hooks.example/', 'credentials'],
    ['not a url', 'invalid-url'],
  ])('%s is refused as %s', async (url, rule) => {
    spy = spyOnConnects();
    const lookup = answering('93.184.215.14');
    refusedHere(await createWebhookSender({ secrets: SECRET, lookup }).send(url, message), rule);
    expect(spy.hosts).toEqual([]);
  });

  it('http://localhost:6379 is refused as loopback even with allowHttp (the default resolver answers loopback)', async () => {
    spy = spyOnConnects();
    refusedHere(await createWebhookSender({ secrets: SECRET, allowHttp: true }).send('http://localhost:6379/', message), 'loopback');
    expect(spy.hosts).toEqual([]);
  });
});

describe('allowlist', () => {
  it('an allowed CIDR lets a blocked address through; a neighbour stays blocked', async () => {
    spy = spyOnConnects();
    const sender = createWebhookSender({ secrets: SECRET, allowHttp: true, allow: { cidrs: ['127.0.0.1/32'] }, maxAttempts: 1 });
    const delivered = await sender.send(`http://127.0.0.1:${receiver.port}/hook`, message);
    expect(delivered.ok || (delivered as WebhookFailed).reason === 'attempts_exhausted').toBe(true);
    refusedHere(await sender.send(`http://127.0.0.2:${receiver.port}/hook`, message), 'loopback');
  });

  it('an allowed host name lets its blocked answers through, pinned to the first answer', async () => {
    spy = spyOnConnects();
    const lookup: WebhookLookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const sender = createWebhookSender({ secrets: SECRET, allowHttp: true, lookup, allow: { hosts: ['Hooks.Internal'] }, maxAttempts: 3, initialDelayMs: 1 });
    expect((await sender.send(`http://hooks.internal.:${receiver.port}/hook`, message)).ok).toBe(true);
    expect(spy.hosts.every((host) => host === '127.0.0.1')).toBe(true);
    refusedHere(await sender.send(`http://other.internal:${receiver.port}/hook`, message), 'loopback');
  });

  it('an IP literal is never allowed by a host-name entry', async () => {
    spy = spyOnConnects();
    const sender = createWebhookSender({ secrets: SECRET, allowHttp: true, allow: { hosts: ['127.0.0.1'] } });
    refusedHere(await sender.send(`http://127.0.0.1:${receiver.port}/hook`, message), 'loopback');
  });
});
