// Webhooks into every adapter over a real socket (issue 12): deliveries
// signed by the vendors' own libraries (helpers/deliveries.ts) reach node
// http, Express, Fastify, Hono and the Fetch handler, each with one
// createWebhookVerifier holding all five schemes. Each adapter verifies the
// raw bytes, then hands them to the framework's parser as for any signed
// request; replays, tampered bodies, stale timestamps, wrong secrets and
// Stripe's v0 downgrade are refused with the same 401 answer. The senders'
// published examples (the webhook vectors) pass through each adapter too.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type HttpBindings } from '@hono/node-server';
import { githubScheme, parseWebhookVectorFile, shopifyScheme, slackScheme, standardWebhooksScheme, stripeScheme, vectorBytes, webhookSchemes, type WebhookSchemeName } from '@sigil/core/webhooks';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sigilExpress } from '../src/adapters/express/index.js';
import { sigilFastify } from '../src/adapters/fastify/index.js';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sigilHono, type SigilHonoEnv } from '../src/adapters/hono/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { createWebhookVerifier, MemoryNonceStore, type Verifier, type VerifierEvent, type WebhookVerificationSuccess } from '../src/index.js';
import { githubHeaders, shopifyHeaders, slackHeaders, standardWebhooksHeaders, stripeHeaders, vendorSecrets, type DeliveryHeaders } from './helpers/deliveries.js';
import type { Req, Res } from './helpers/express-types.js';
import { close, listen } from './helpers/servers.js';

type WebhookVerifier = Verifier<WebhookVerificationSuccess>;

/** What every handler answers: the verification, and the body as the framework parsed it. */
function echo(v: WebhookVerificationSuccess | null | undefined, parsed: unknown) {
  if (!v) return { error: 'no verification' };
  return { scheme: v.scheme, secretIndex: v.secretIndex, id: v.id ?? null, idSigned: v.idSigned, replaySource: v.replaySource, timestamp: v.timestamp ?? null, parsed };
}

/** Parses a body the way a handler would, by its content type: JSON, a form, or text. */
function parseText(contentType: string | null | undefined, text: string): unknown {
  if (contentType?.startsWith('application/json')) return JSON.parse(text);
  if (contentType?.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return text;
}

interface Started {
  readonly origin: string;
  close(): Promise<void>;
}

const nodeServer = async (server: Server): Promise<Started> => ({ origin: `http://${await listen(server)}`, close: () => close(server) });

function serveFetch(fetch: (request: Request, env: HttpBindings) => Response | Promise<Response>): Promise<Started> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetch as Parameters<typeof serve>[0]['fetch'], port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({ origin: `http://127.0.0.1:${info.port}`, close: () => close(server as Server) });
    });
  });
}

/** Each adapter, started with a webhook verifier; every handler answers echo(). */
const ADAPTERS: Record<string, (verifier: WebhookVerifier) => Promise<Started>> = {
  'node http (sigilListener)': (verifier) =>
    nodeServer(
      createServer(
        sigilListener(verifier, (req, res, v) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(echo(v, parseText(req.headers['content-type'], Buffer.from(v.body).toString('utf8')))));
        }),
      ),
    ),
  'Express (sigilExpress)': (verifier) => {
    const app = express();
    app.use(sigilExpress(verifier));
    app.post('/{*path}', (req: Req, res: Res) => void res.json(echo(req.sigilWebhook, req.body)));
    return nodeServer(createServer(app));
  },
  'Fastify (sigilFastify)': async (verifier) => {
    const app = Fastify();
    // Slack posts forms: Fastify needs a parser for them; it reads the verified bytes.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseText('application/x-www-form-urlencoded', body as string)));
    // The published examples send no content type: take those as text.
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    await app.register(sigilFastify, { verifier });
    app.post('/*', async (req) => echo(req.sigilWebhook, req.body));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return { origin: address, close: () => app.close() };
  },
  'Hono (sigilHono)': (verifier) => {
    const app = new Hono<SigilHonoEnv<WebhookVerificationSuccess>>();
    app.use('*', sigilHono(verifier));
    app.post('*', async (c) => {
      const type = c.req.header('content-type');
      const parsed = type?.startsWith('application/json') ? await c.req.json() : type?.startsWith('application/x-www-form-urlencoded') ? await c.req.parseBody() : await c.req.text();
      return c.json(echo(c.get('sigil'), parsed));
    });
    return serveFetch(app.fetch);
  },
  'Fetch handler (sigilFetchHandler)': (verifier) =>
    serveFetch(
      sigilFetchHandler(verifier, async (req, v, _env: HttpBindings) => Response.json(echo(v, parseText(req.headers.get('content-type'), await req.text()))), {
        // The peer address from @hono/node-server's bindings, as a runtime's requestIP() would give it.
        connection: (_req, env: HttpBindings) => ({ remoteAddress: env.incoming.socket.remoteAddress ?? '' }),
      }),
    ),
};

const SECRETS = vendorSecrets();

function liveVerifier(events: VerifierEvent[]): WebhookVerifier {
  return createWebhookVerifier({
    schemes: [
      standardWebhooksScheme({ secrets: SECRETS['standard-webhooks'] }),
      stripeScheme({ secrets: SECRETS.stripe }),
      githubScheme({ secrets: SECRETS.github }),
      slackScheme({ secrets: SECRETS.slack }),
      shopifyScheme({ secrets: SECRETS.shopify }),
    ],
    nonceStore: new MemoryNonceStore(),
    onEvent: (event) => void events.push(event),
  });
}

async function post(origin: string, path: string, headers: DeliveryHeaders, body: string, contentType = 'application/json') {
  const res = await request(`${origin}${path}`, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body });
  return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as Record<string, unknown> };
}

const refused = (code: string) => ({ status: 401, json: { error: code } });

const ORDER = JSON.stringify({ type: 'order.paid', amount: 1200, note: 'héllo ✓' });

describe.each(Object.keys(ADAPTERS))('webhooks through %s', (adapter) => {
  const events: VerifierEvent[] = [];
  let live: Started;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}_${adapter.length}_${++n}`;

  beforeAll(async () => {
    live = await ADAPTERS[adapter]!(liveVerifier(events));
  });
  afterAll(() => live.close());

  it('Standard Webhooks (standardwebhooks signs): accepted with either rotated secret, parsed by the framework; replays (a retry of the same id too), tampering, staleness, a foreign secret refused', async () => {
    const [oldSecret, newSecret] = SECRETS['standard-webhooks'] as [string, string];
    const id = fresh('msg');
    const headers = standardWebhooksHeaders(newSecret, id, ORDER);
    expect(await post(live.origin, '/hooks', headers, ORDER)).toMatchObject({
      status: 200,
      json: { scheme: 'standard-webhooks', secretIndex: 1, id, idSigned: true, replaySource: 'id', timestamp: Number(headers['webhook-timestamp']), parsed: JSON.parse(ORDER) },
    });
    expect((await post(live.origin, '/hooks', standardWebhooksHeaders(oldSecret, fresh('msg'), ORDER), ORDER)).json).toMatchObject({ secretIndex: 0 });
    expect(await post(live.origin, '/hooks', headers, ORDER)).toMatchObject(refused('nonce_replayed'));
    // The sender's retry re-signs the same id later: it is the same message.
    expect(await post(live.origin, '/hooks', standardWebhooksHeaders(newSecret, id, ORDER, new Date(Date.now() + 5_000)), ORDER)).toMatchObject(refused('nonce_replayed'));
    expect(await post(live.origin, '/hooks', standardWebhooksHeaders(newSecret, fresh('msg'), ORDER), ORDER.replace('1200', '9999'))).toMatchObject(refused('signature_invalid'));
    expect(await post(live.origin, '/hooks', standardWebhooksHeaders(newSecret, fresh('msg'), ORDER, new Date(Date.now() - 600_000)), ORDER)).toMatchObject(refused('timestamp_out_of_window'));
    expect(await post(live.origin, '/hooks', standardWebhooksHeaders(vendorSecrets()['standard-webhooks'][0]!, fresh('msg'), ORDER), ORDER)).toMatchObject(refused('signature_invalid'));
    const { 'webhook-id': _dropped, ...noId } = standardWebhooksHeaders(newSecret, fresh('msg'), ORDER);
    expect(await post(live.origin, '/hooks', noId, ORDER)).toMatchObject(refused('webhook_header_missing'));
  });

  it('Stripe (generateTestHeaderString signs): accepted; a replay, a stale t, a wrong secret and a v0-only downgrade refused', async () => {
    const payload = JSON.stringify({ id: fresh('evt'), type: 'charge.succeeded' });
    const headers = stripeHeaders(SECRETS.stripe[0]!, payload);
    expect(await post(live.origin, '/stripe', headers, payload)).toMatchObject({ status: 200, json: { scheme: 'stripe', secretIndex: 0, idSigned: false, replaySource: 'content', parsed: JSON.parse(payload) } });
    expect(await post(live.origin, '/stripe', headers, payload)).toMatchObject(refused('nonce_replayed'));
    expect(await post(live.origin, '/stripe', stripeHeaders(SECRETS.stripe[0]!, payload, new Date(Date.now() - 600_000)), payload)).toMatchObject(refused('timestamp_out_of_window'));
    expect(await post(live.origin, '/stripe', stripeHeaders(vendorSecrets().stripe[0]!, payload), payload)).toMatchObject(refused('signature_invalid'));
    const downgraded = { 'stripe-signature': stripeHeaders(SECRETS.stripe[0]!, `${payload} `)['stripe-signature']!.replace('v1=', 'v0=') };
    expect(await post(live.origin, '/stripe', downgraded, `${payload} `)).toMatchObject(refused('unsupported_version'));
  });

  it('GitHub (@octokit/webhooks-methods signs): accepted with its delivery id reported, unsigned; the same body under a fresh delivery id is a replay', async () => {
    const payload = JSON.stringify({ action: 'opened', number: ++n });
    const first = fresh('d');
    expect(await post(live.origin, '/github', await githubHeaders(SECRETS.github[0]!, payload, first), payload)).toMatchObject({
      status: 200,
      json: { scheme: 'github', id: first, idSigned: false, replaySource: 'content', timestamp: null, parsed: JSON.parse(payload) },
    });
    expect(await post(live.origin, '/github', await githubHeaders(SECRETS.github[0]!, payload, fresh('d')), payload)).toMatchObject(refused('nonce_replayed'));
    expect(await post(live.origin, '/github', await githubHeaders(SECRETS.github[0]!, payload), payload.replace('opened', 'closed'))).toMatchObject(refused('signature_invalid'));
  });

  it('Slack (a form, parsed after verification) and Shopify, signed with node:crypto: accepted once', async () => {
    const form = `token=x&team_id=T1&text=caf%C3%A9&command=%2Fdeploy&n=${++n}`;
    const slack = slackHeaders(SECRETS.slack[0]!, form);
    const formType = 'application/x-www-form-urlencoded';
    expect(await post(live.origin, '/slack', slack, form, formType)).toMatchObject({
      status: 200,
      json: { scheme: 'slack', timestamp: Number(slack['x-slack-request-timestamp']), parsed: { token: 'x', team_id: 'T1', text: 'café', command: '/deploy' } },
    });
    expect(await post(live.origin, '/slack', slack, form, formType)).toMatchObject(refused('nonce_replayed'));
    const order = JSON.stringify({ id: 820982911946154500 + ++n, total_price: '12.00' });
    const id = fresh('b5');
    expect(await post(live.origin, '/shopify', shopifyHeaders(SECRETS.shopify[0]!, order, id), order)).toMatchObject({ status: 200, json: { scheme: 'shopify', id, idSigned: false } });
    expect(await post(live.origin, '/shopify', shopifyHeaders(SECRETS.shopify[0]!, order, fresh('b5')), order)).toMatchObject(refused('nonce_replayed'));
  });

  it("refuses with Sigil's one failure answer (401, WWW-Authenticate, a JSON code, no received value) and names the scheme, never a key id, in events", async () => {
    events.length = 0;
    const headers = stripeHeaders(vendorSecrets().stripe[0]!, ORDER);
    const answer = await post(live.origin, '/stripe', headers, ORDER);
    expect(answer).toMatchObject(refused('signature_invalid'));
    expect(answer.headers['www-authenticate']).toBe('Sigil');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(answer.json)).not.toContain(headers['stripe-signature']!.slice(-20));
    expect(await post(live.origin, '/none', {}, ORDER)).toMatchObject(refused('signature_missing'));
    expect(events.map((e) => [e.type, e.code, e.scheme, e.keyId])).toEqual([
      ['rejected', 'signature_invalid', 'stripe', undefined],
      ['rejected', 'signature_missing', undefined, undefined],
    ]);
  });
});

/** The positive webhook vectors that reproduce a sender's published example. */
const PUBLISHED = parseWebhookVectorFile(JSON.parse(readFileSync(new URL('../../../test-vectors/webhooks-positive.json', import.meta.url), 'utf8'))).vectors.filter(
  (v) => v.kind === 'positive' && v.id.endsWith('published-example'),
);

describe.each(Object.keys(ADAPTERS))("the senders' published examples through %s", (adapter) => {
  it.each(PUBLISHED.map((v) => [v.id, v] as const))('%s verifies', async (_id, v) => {
    if (v.kind !== 'positive') throw new Error('not positive');
    const scheme = webhookSchemes[v.scheme as WebhookSchemeName]({ secrets: v.secrets });
    const started = await ADAPTERS[adapter]!(createWebhookVerifier({ schemes: [scheme], replay: false, clock: () => v.now * 1000 }));
    try {
      const body = vectorBytes(v.request.body);
      const res = await request(`${started.origin}/hook`, { method: 'POST', headers: v.request.headers.flat(), body: Buffer.from(body) });
      const json = (await res.body.json()) as Record<string, unknown>;
      expect({ status: res.statusCode, secretIndex: json['secretIndex'], scheme: json['scheme'], id: json['id'] }).toEqual({
        status: 200,
        secretIndex: v.expected.secretIndex,
        scheme: v.scheme,
        id: v.expected.messageId ?? null,
      });
    } finally {
      await started.close();
    }
  });
});

it('has a published example for each sender that publishes one', () => {
  expect(PUBLISHED.map((v) => v.scheme).sort()).toEqual(['github', 'slack', 'standard-webhooks']);
});
