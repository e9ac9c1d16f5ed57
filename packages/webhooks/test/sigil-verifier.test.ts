// createWebhookSender's deliveries, received by Sigil's own verifier over a
// real loopback socket (issue 13 with issue 12's wiring): a node:http
// server with sigilListener(createWebhookVerifier(standardWebhooksScheme))
// and a nonce store. A receiver that is down for the first attempt gets the
// retry (same webhook-id, a fresher timestamp) and processes it once; the
// captured delivery replayed, and the same id sent again, are refused by the
// verifier's replay check; a receiver holding either secret of a rotation
// verifies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { generateWebhookSecret, standardWebhooksScheme } from '@sigil/core/webhooks';
import { createWebhookVerifier, MemoryNonceStore, type VerifierEvent } from '@sigil/verify';
import { sigilListener } from '@sigil/verify/node';
import { afterEach, describe, expect, it } from 'vitest';
import { loopbackSender, SECRET } from './helpers/sender.js';

interface SigilReceiver {
  readonly url: string;
  /** The webhook-ids the handler processed, in order. */
  readonly processed: string[];
  /** The raw bytes each connection carried, in connection order. */
  readonly raw: Buffer[][];
  readonly events: VerifierEvent[];
}

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

/** Sigil's verifier behind a server that answers 503 to the first `downFor` requests without reading them. */
async function sigilReceiver(secrets: string | readonly string[], downFor = 0): Promise<SigilReceiver> {
  const processed: string[] = [];
  const raw: Buffer[][] = [];
  const events: VerifierEvent[] = [];
  const verifier = createWebhookVerifier({
    schemes: [standardWebhooksScheme({ secrets })],
    nonceStore: new MemoryNonceStore(),
    onEvent: (event) => void events.push(event),
  });
  const verified = sigilListener(verifier, (_req, res, v) => {
    processed.push(v.id!);
    res.writeHead(204).end();
  });
  let seen = 0;
  const server = createServer((req, res) => {
    if (seen++ < downFor) return void res.writeHead(503, { connection: 'close' }).end();
    verified(req, res);
  });
  // Record what each connection carries, as it arrives.
  server.on('connection', (socket) => {
    const chunks: Buffer[] = [];
    raw.push(chunks);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  });
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, processed, raw, events };
}

/** Writes raw request bytes to the receiver and resolves the status code. */
function replay(url: string, bytes: Buffer): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.end(Buffer.from(bytes.toString('latin1').replace('\r\n', '\r\nconnection: close\r\n'), 'latin1'));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(Buffer.concat(chunks).toString('latin1').split(' ')[1])));
  });
}

const message = { type: 'invoice.paid', payload: { invoice: 'in_1', amount: 4200, note: 'ü' } };

describe("Sigil's verifier receives createWebhookSender's deliveries", () => {
  it('a retry after a 503 (same webhook-id, fresher timestamp) is processed once; the captured delivery replayed and the same id sent again are refused', async () => {
    const r = await sigilReceiver(SECRET, 1);
    let offsetMs = 0;
    // Each attempt visibly later than the one before.
    const { sender } = loopbackSender({ clock: () => Date.now() + offsetMs, onEvent: () => void (offsetMs += 2_000) });
    const result = await sender.send(r.url, { id: 'msg_sigil_1', ...message });
    expect(result).toMatchObject({ ok: true, attempts: 2, statusCode: 204 });
    expect(r.processed).toEqual(['msg_sigil_1']);
    expect(r.events.map((e) => [e.type, e.scheme, e.code])).toEqual([['accepted', 'standard-webhooks', undefined]]);

    // The accepted attempt (the second connection: the first was closed with the 503), captured off the wire and sent again.
    expect(r.raw).toHaveLength(2);
    const accepted = Buffer.concat(r.raw[1]!);
    expect(await replay(r.url, accepted)).toBe(401);
    // The sender asked to deliver the same message again: same id, new signature and timestamp.
    expect(await sender.send(r.url, { id: 'msg_sigil_1', ...message })).toMatchObject({ ok: false, reason: 'rejected', statusCode: 401 });
    expect(r.processed).toEqual(['msg_sigil_1']);
    expect(r.events.slice(1).map((e) => [e.type, e.code])).toEqual([
      ['rejected', 'nonce_replayed'],
      ['rejected', 'nonce_replayed'],
    ]);
  });

  it('during a rotation the sender signs with both secrets; receivers holding either one verify', async () => {
    const next = generateWebhookSecret();
    const { sender } = loopbackSender({ secrets: [SECRET, next] });
    for (const held of [SECRET, next]) {
      const r = await sigilReceiver(held);
      expect(await sender.send(r.url, message)).toMatchObject({ ok: true, attempts: 1 });
      expect(r.processed).toHaveLength(1);
    }
    const stranger = await sigilReceiver(generateWebhookSecret());
    expect(await sender.send(stranger.url, message)).toMatchObject({ ok: false, reason: 'rejected', statusCode: 401 });
    expect(stranger.events.map((e) => e.code)).toEqual(['signature_invalid']);
  });
});
