// Audit events: the verifier's onEvent receives one structured event per
// verification (accepted or rejected, code, key id, method, path without
// the query, latency) and never the secret, a MAC, a nonce, the body, the
// query or a header value. Every code a verifier can answer with is fed
// through it; then the README's wiring (a logger, metrics) runs against
// the real client over a real socket.
import { inspect } from 'node:util';
import { createVerifier, type VerifierEvent } from '@sigil/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { carried, codeCases, codesVerifierOptions, inProcess, SERVER_CODES, SwitchableStore } from './helpers/codes.js';
import { expectNoSecrets, KEY_ID, OTHER_KEY } from './helpers/keys.js';
import { closeAll, signingClient, startStack } from './helpers/stack.js';

afterAll(closeAll);

// `hint` on insecure_transport only; `scheme` for webhooks (their suite: packages/verify/test/webhooks-*.test.ts).
const FIELDS = ['type', 'code', 'hint', 'keyId', 'method', 'path', 'latencyMs'];

/** Texts from a request that an event must never repeat. */
function received(c: { target: string; headers: ReadonlyArray<readonly [string, string]>; body: Buffer }): string[] {
  const query = c.target.includes('?') ? [c.target.slice(c.target.indexOf('?'))] : [];
  const values = c.headers.filter(([n]) => n !== 'host' && n !== 'content-type').map(([, v]) => v);
  return [...query, ...values, c.body.toString('utf8')];
}

describe('audit events for every code', () => {
  const cases = codeCases();

  it('the cases cover every code a verifier can answer with', () => {
    expect(Object.keys(cases).sort()).toEqual([...SERVER_CODES].sort());
  });

  it.each(Object.entries(cases))('%s: one rejected event with that code, and nothing secret', async (code, c) => {
    const events: VerifierEvent[] = [];
    const store = new SwitchableStore();
    const verifier = createVerifier({ ...codesVerifierOptions(store), onEvent: (e) => void events.push(e) });
    if (c.twice) await verifier.verify(inProcess(c));
    store.mode = c.store ?? 'ok';
    const result = await verifier.verify(inProcess(c));
    expect(result).toMatchObject({ ok: false, code });
    const event = events.at(-1)!;
    expect(event).toMatchObject({ type: 'rejected', code });
    expect(Object.keys(event).every((k) => FIELDS.includes(k))).toBe(true);
    expect('hint' in event).toBe(code === 'insecure_transport');
    expect(event.latencyMs).toBeGreaterThanOrEqual(0);
    if (event.path !== undefined) expect(event.path).not.toContain('?');
    const text = `${JSON.stringify(events)}\n${inspect(events, { depth: 5 })}\n${JSON.stringify(result)}\n${inspect(result, { depth: 5 })}`;
    expectNoSecrets(text, `${code} event`, [...carried(c), ...received(c)]);
  });

  it('accepted: key id, method and path, nothing else', async () => {
    const events: VerifierEvent[] = [];
    const verifier = createVerifier({ ...codesVerifierOptions(new SwitchableStore()), onEvent: (e) => void events.push(e) });
    const ok = codeCases().nonce_replayed!;
    expect(await verifier.verify(inProcess(ok))).toMatchObject({ ok: true });
    expect(events).toEqual([{ type: 'accepted', keyId: KEY_ID, method: 'POST', path: '/v1/orders', latencyMs: expect.any(Number) }]);
    expectNoSecrets(JSON.stringify(events), 'accepted event', [...carried(ok), ...received(ok)]);
  });

  it('a hook that throws changes no result', async () => {
    const verifier = createVerifier({
      ...codesVerifierOptions(new SwitchableStore()),
      onEvent: () => {
        throw new Error('log sink full');
      },
    });
    expect(await verifier.verify(inProcess(codeCases().nonce_replayed!))).toMatchObject({ ok: true });
    expect(await verifier.verify(inProcess(cases.key_unknown!))).toMatchObject({ ok: false, code: 'key_unknown' });
  });
});

describe('audit events wired to a logger and to metrics (real client, real socket)', () => {
  it('counts by outcome and code, logs one secret-free line per request', async () => {
    const lines: string[] = [];
    const counters = new Map<string, number>();
    let latencyTotal = 0;
    const stack = await startStack({
      verifier: {
        onEvent: (event) => {
          // Logger: one JSON line, as pino or winston would write it.
          lines.push(JSON.stringify({ level: event.type === 'accepted' ? 'info' : 'warn', msg: 'sigil verification', ...event }));
          // Metrics: a counter labelled by outcome and code, and a latency sum.
          const key = `sigil_verifications_total{result="${event.type}",code="${event.code ?? 'ok'}"}`;
          counters.set(key, (counters.get(key) ?? 0) + 1);
          latencyTotal += event.latencyMs;
        },
      },
    });
    const good = signingClient(stack.origin);
    const wrongKey = signingClient(stack.origin, { secret: OTHER_KEY });
    await good(`${stack.origin}/v1/orders?page=1`, { method: 'POST', body: '{"card":"4111"}', headers: { 'content-type': 'application/json' } });
    await good(`${stack.origin}/v1/me`);
    await wrongKey(`${stack.origin}/v1/me?token=abc`);
    await fetch(`${stack.origin}/v1/me`);
    expect(Object.fromEntries(counters)).toEqual({
      'sigil_verifications_total{result="accepted",code="ok"}': 2,
      'sigil_verifications_total{result="rejected",code="signature_invalid"}': 1,
      'sigil_verifications_total{result="rejected",code="signature_missing"}': 1,
    });
    expect(latencyTotal).toBeGreaterThan(0);
    expect(lines.map((l) => JSON.parse(l).path)).toEqual(['/v1/orders', '/v1/me', '/v1/me', '/v1/me']);
    expectNoSecrets(lines.join('\n'), 'log lines', ['4111', 'token=abc', 'page=1', 'sigil-signature']);
  });
});
