// TLS with a pinned address: the socket goes to the checked IP, and the
// certificate is still verified against the URL's host name.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createWebhookSender, type WebhookLookup } from '@sigil/webhooks';
import { startTlsReceiver, type Receiver } from './helpers/receiver.js';
import { SECRET } from './helpers/sender.js';
import { spyOnConnects } from './helpers/sockets.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const key = fixture('localhost-key.pem');
const cert = fixture('localhost-cert.pem');
const message = { type: 'ping', payload: { ok: true } };

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startTlsReceiver(key, cert);
});
afterAll(() => receiver.close());

const toLoopback: WebhookLookup = async () => [{ address: '127.0.0.1', family: 4 }];

describe('TLS to a pinned address', () => {
  it('delivers over HTTPS to localhost (allowlisted, custom CA), connecting to the checked address with SNI localhost', async () => {
    const spy = spyOnConnects();
    try {
      const sender = createWebhookSender({ secrets: SECRET, lookup: toLoopback, allow: { hosts: ['localhost'] }, tls: { ca: cert }, maxAttempts: 1 });
      const result = await sender.send(`https://localhost:${receiver.port}/hook`, message);
      expect(result).toMatchObject({ ok: true, statusCode: 204 });
      expect(spy.hosts).toEqual(['127.0.0.1']);
      const delivery = receiver.deliveries.at(-1)!;
      expect(delivery.headers.host).toBe(`localhost:${receiver.port}`);
      const headers = Object.fromEntries(Object.entries(delivery.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      expect(() => new Webhook(SECRET).verify(delivery.body, headers)).not.toThrow();
    } finally {
      spy.restore();
    }
  });

  it('attacker: a name the certificate does not cover fails the handshake, though it resolves to the same allowed address', async () => {
    const sender = createWebhookSender({ secrets: SECRET, lookup: toLoopback, allow: { hosts: ['evil.example'] }, tls: { ca: cert }, maxAttempts: 1 });
    const before = receiver.deliveries.length;
    expect(await sender.send(`https://evil.example:${receiver.port}/hook`, message)).toMatchObject({ ok: false, reason: 'attempts_exhausted', error: 'tls' });
    expect(receiver.deliveries.length).toBe(before);
  });

  it('the IP literal is checked against the certificate too (it names localhost only)', async () => {
    const sender = createWebhookSender({ secrets: SECRET, allow: { cidrs: ['127.0.0.1/32'] }, tls: { ca: cert }, maxAttempts: 1 });
    expect(await sender.send(`https://127.0.0.1:${receiver.port}/hook`, message)).toMatchObject({ ok: false, error: 'tls' });
  });

  it('without the CA the self-signed certificate is refused', async () => {
    const sender = createWebhookSender({ secrets: SECRET, lookup: toLoopback, allow: { hosts: ['localhost'] }, maxAttempts: 1 });
    expect(await sender.send(`https://localhost:${receiver.port}/hook`, message)).toMatchObject({ ok: false, error: 'tls' });
  });
});
