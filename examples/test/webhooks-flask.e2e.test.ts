// Webhooks into Flask (issue 12's Flask part, issue 13's Flask interop): the
// example receiver test-vectors/reference/python/examples/webhook_app.py
// (sigil.flask.require_webhook) under Debian's /usr/bin/python3 on 127.0.0.1,
// sent deliveries signed by the vendors' own npm libraries (standardwebhooks,
// stripe's generateTestHeaderString, @octokit/webhooks-methods), by
// node:crypto for Slack and Shopify (no vendor library on npm), and by
// @sigil/webhooks' createWebhookSender (a retry and a replay included).
// Without Flask the suite is skipped loudly, except under CI=true, where it fails.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { createWebhookSender, generateWebhookSecret, type WebhookEvent } from '@sigil/webhooks';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, startPythonApp } from './helpers/python-app.js';

const APP = fileURLToPath(new URL('../../test-vectors/reference/python/examples/webhook_app.py', import.meta.url));
const hasFlask = spawnSync(PYTHON, ['-c', 'import flask'], { stdio: 'ignore' }).status === 0;
if (!hasFlask) {
  if (process.env.CI === 'true') throw new Error(`Flask is required in CI: ${PYTHON} -c 'import flask' failed (apt-get install python3-flask)`);
  console.warn(`\n${'!'.repeat(72)}\n!! SKIPPING the Flask webhook test: ${PYTHON} cannot import flask (apt-get install python3-flask)\n${'!'.repeat(72)}\n`);
}

const [SW_OLD, SW_NEW] = [generateWebhookSecret(), generateWebhookSecret()];
const STRIPE_SECRET = `whsec_${randomBytes(24).toString('hex')}`;
const GITHUB_SECRET = randomBytes(20).toString('hex');
const SLACK_SECRET = randomBytes(16).toString('hex');
const SHOPIFY_SECRET = `shpss_${randomBytes(16).toString('hex')}`;
const SECRETS = {
  'standard-webhooks': [SW_OLD, SW_NEW],
  stripe: [STRIPE_SECRET],
  github: [GITHUB_SECRET],
  slack: [SLACK_SECRET],
  shopify: [SHOPIFY_SECRET],
};
const stripe = new Stripe('sk_test_sigil_flask_not_a_real_key');
const now = () => Math.floor(Date.now() / 1000);

let app: ChildProcess | undefined;
let origin = '';
let port = 0;

beforeAll(async () => {
  if (!hasFlask) return;
  const started = await startPythonApp(APP, { SIGIL_WEBHOOK_SECRETS: JSON.stringify(SECRETS), PYTHONDONTWRITEBYTECODE: '1' });
  app = started.child;
  port = started.port;
  origin = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  app?.kill();
});

async function post(path: string, headers: Record<string, string>, body: string) {
  const response = await fetch(`${origin}${path}`, { method: 'POST', headers, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const refused = (code: string) => ({ status: 401, json: { error: code } });

describe.skipIf(!hasFlask)('Flask (sigil.flask.require_webhook) verifies what the vendors\' own libraries sign', () => {
  it('standardwebhooks: accepted with either rotated secret; tampered, stale, wrong-secret, replayed, header-less deliveries refused', async () => {
    const payload = JSON.stringify({ type: 'invoice.paid', amount: 1200, note: 'héllo ✓' });
    const sign = (secret: string, id: string, at = new Date()) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, payload),
      'content-type': 'application/json',
    });
    const fresh = sign(SW_NEW, 'msg_flask_1');
    const accepted = await post('/hooks/standard-webhooks', fresh, payload);
    expect(accepted).toMatchObject({ status: 200, json: { scheme: 'standard-webhooks', secretIndex: 1, messageId: 'msg_flask_1', idSigned: true, replaySource: 'id', parsed: JSON.parse(payload) } });
    expect((await post('/hooks/standard-webhooks', sign(SW_OLD, 'msg_flask_2'), payload)).json).toMatchObject({ secretIndex: 0 });
    expect(await post('/hooks/standard-webhooks', fresh, payload)).toEqual(refused('nonce_replayed'));
    // The sender's retry of an accepted message (same id, re-signed later) is a duplicate too.
    expect(await post('/hooks/standard-webhooks', sign(SW_NEW, 'msg_flask_1', new Date(Date.now() + 5_000)), payload)).toEqual(refused('nonce_replayed'));
    expect(await post('/hooks/standard-webhooks', sign(SW_NEW, 'msg_flask_3'), payload.replace('1200', '9999'))).toEqual(refused('signature_invalid'));
    expect(await post('/hooks/standard-webhooks', sign(SW_NEW, 'msg_flask_4', new Date(Date.now() - 600_000)), payload)).toEqual(refused('timestamp_out_of_window'));
    expect(await post('/hooks/standard-webhooks', sign(generateWebhookSecret(), 'msg_flask_5'), payload)).toEqual(refused('signature_invalid'));
    const { 'webhook-id': _id, ...noId } = sign(SW_NEW, 'msg_flask_6');
    expect(await post('/hooks/standard-webhooks', noId, payload)).toEqual(refused('webhook_header_missing'));
    expect(await post('/hooks/standard-webhooks', { ...sign(SW_NEW, 'msg_flask_7'), 'webhook-signature': 'v1,not base64!' }, payload)).toEqual(refused('signature_header_malformed'));
    const { 'webhook-signature': _s, ...unsigned } = sign(SW_NEW, 'msg_flask_8');
    expect(await post('/hooks/standard-webhooks', unsigned, payload)).toEqual(refused('signature_missing'));
  });

  it('stripe generateTestHeaderString: accepted; replayed, stale, v0-only and wrong-secret headers refused', async () => {
    const payload = JSON.stringify({ id: 'evt_flask', type: 'charge.succeeded' });
    const header = (secret: string, timestamp = now()) => stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    const signed = { 'stripe-signature': header(STRIPE_SECRET), 'content-type': 'application/json' };
    expect(await post('/hooks/stripe', signed, payload)).toMatchObject({ status: 200, json: { scheme: 'stripe', secretIndex: 0, idSigned: false, replaySource: 'content', parsed: JSON.parse(payload) } });
    expect(await post('/hooks/stripe', signed, payload)).toEqual(refused('nonce_replayed'));
    expect(await post('/hooks/stripe', { 'stripe-signature': header(STRIPE_SECRET, now() - 600) }, payload)).toEqual(refused('timestamp_out_of_window'));
    expect(await post('/hooks/stripe', { 'stripe-signature': header(`whsec_${randomBytes(24).toString('hex')}`) }, payload)).toEqual(refused('signature_invalid'));
    const downgraded = header(STRIPE_SECRET).replace('v1=', 'v0=');
    expect(await post('/hooks/stripe', { 'stripe-signature': downgraded }, payload)).toEqual(refused('unsupported_version'));
  });

  it('@octokit/webhooks-methods sign: accepted; a replay under a fresh (unsigned) X-GitHub-Delivery is refused, as is a tampered body', async () => {
    const payload = JSON.stringify({ action: 'opened', number: 7 });
    const signature = await octokitSign(GITHUB_SECRET, payload);
    const headers = (delivery: string) => ({ 'x-hub-signature-256': signature, 'x-github-delivery': delivery, 'content-type': 'application/json' });
    expect(await post('/hooks/github', headers('d-1'), payload)).toMatchObject({ status: 200, json: { scheme: 'github', messageId: 'd-1', idSigned: false, replaySource: 'content', timestamp: null } });
    expect(await post('/hooks/github', headers('d-2'), payload)).toEqual(refused('nonce_replayed'));
    expect(await post('/hooks/github', headers('d-3'), payload.replace('7', '8'))).toEqual(refused('signature_invalid'));
    expect(await post('/hooks/github', { 'x-hub-signature-256': signature.replace('sha256=', 'sha1=') }, payload)).toEqual(refused('unsupported_version'));
  });

  it('Slack (form body parsed after verification) and Shopify, signed with node:crypto', async () => {
    const form = 'token=x&team_id=T1&text=caf%C3%A9&command=%2Fdeploy';
    const ts = String(now());
    const slack = { 'x-slack-signature': `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${form}`).digest('hex')}`, 'x-slack-request-timestamp': ts, 'content-type': 'application/x-www-form-urlencoded' };
    expect(await post('/hooks/slack', slack, form)).toMatchObject({ status: 200, json: { scheme: 'slack', timestamp: Number(ts), parsed: { token: 'x', team_id: 'T1', text: 'café', command: '/deploy' } } });
    expect(await post('/hooks/slack', slack, form)).toEqual(refused('nonce_replayed'));
    const order = JSON.stringify({ id: 820982911946154500, total_price: '12.00' });
    const shopify = { 'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(order).digest('base64'), 'x-shopify-webhook-id': 'b54557e4', 'content-type': 'application/json' };
    expect(await post('/hooks/shopify', shopify, order)).toMatchObject({ status: 200, json: { scheme: 'shopify', messageId: 'b54557e4', idSigned: false } });
    expect(await post('/hooks/shopify', { ...shopify, 'x-shopify-webhook-id': 'fresh' }, order)).toEqual(refused('nonce_replayed'));
  });
});

/** A loopback TCP relay in front of Flask that records the bytes each connection sent. */
function recordingRelay(target: number): Promise<{ server: Server; port: number; sent: Buffer[] }> {
  const sent: Buffer[] = [];
  const server = createServer((client) => {
    const chunks: Buffer[] = [];
    const upstream = connect(target, '127.0.0.1');
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.on('close', () => sent.push(Buffer.concat(chunks)));
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, sent })));
}

/** The HTTP/1.1 requests in a connection's bytes (Content-Length framing, as the sender uses). */
function requests(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(rest.subarray(0, end).toString('latin1'))?.[1] ?? '0');
    out.push(rest.subarray(0, end + 4 + length));
    rest = rest.subarray(end + 4 + length);
  }
  return out;
}

/** Writes raw request bytes to Flask and returns the status and JSON body. */
function sendRaw(raw: Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    // A replay of a keep-alive request: ask Werkzeug to close once answered.
    socket.end(Buffer.from(raw.toString('latin1').replace('\r\n', '\r\nConnection: close\r\n'), 'latin1'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(text.split(' ')[1]), json: JSON.parse(body) });
    });
  });
}

describe.skipIf(!hasFlask)("Flask verifies @sigil/webhooks' createWebhookSender deliveries", () => {
  it('delivered once; a retry after a 503 (same webhook-id, fresher timestamp) accepted; the captured delivery replayed is refused; a duplicate send is rejected', async () => {
    const relay = await recordingRelay(port);
    try {
      let offsetMs = 0;
      const events: WebhookEvent[] = [];
      const sender = createWebhookSender({
        secrets: [SW_NEW],
        allowHttp: true,
        allow: { cidrs: ['127.0.0.0/8'] }, // the receiver is on loopback, which the sender refuses by default
        initialDelayMs: 5,
        maxDelayMs: 50,
        timeoutMs: 5_000,
        clock: () => Date.now() + offsetMs,
        onEvent: (event) => {
          events.push(event);
          offsetMs += 5_000; // each attempt visibly later than the one before
        },
      });
      const url = (path: string) => `http://127.0.0.1:${relay.port}${path}`;

      const direct = await sender.send(url('/hooks/standard-webhooks'), { type: 'order.created', payload: { order: 1 } });
      expect(direct).toMatchObject({ ok: true, attempts: 1, statusCode: 200 });

      const retried = await sender.send(url('/flaky/standard-webhooks'), { id: 'msg_retry_1', type: 'order.paid', payload: { order: 2, note: 'ü' } });
      expect(retried).toMatchObject({ ok: true, attempts: 2, statusCode: 200 });
      expect(events.slice(-2).map((e) => [e.attempt, e.outcome, e.statusCode])).toEqual([
        [1, 'retry', 503],
        [2, 'delivered', 200],
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the relay records a connection when it closes
      const sent = relay.sent.flatMap(requests).filter((r) => r.includes('msg_retry_1'));
      expect(sent).toHaveLength(2);
      const stamps = sent.map((r) => Number(/\r\nwebhook-timestamp: *(\d+)/i.exec(r.toString('latin1'))![1]));
      expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(5);

      // An attacker who captured the accepted attempt replays it byte for byte.
      expect(await sendRaw(sent[1]!)).toEqual({ status: 401, json: { error: 'nonce_replayed' } });
      // The sender sending the same message id again is a duplicate: refused, and final (4xx).
      const again = await sender.send(url('/hooks/standard-webhooks'), { id: 'msg_retry_1', type: 'order.paid', payload: { order: 2, note: 'ü' } });
      expect(again).toMatchObject({ ok: false, attempts: 1, statusCode: 401 });
    } finally {
      relay.server.close();
    }
  });
});
