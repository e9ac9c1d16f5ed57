// Attack: stale and future timestamps. A request recorded today and sent
// after the window, or one signed with a clock far ahead (to stay valid
// longer than the nonce store remembers it), is refused with the server's
// clock in Sigil-Server-Time. The real client corrects its offset once,
// when the correction is within its maxClockSkewSeconds.
import { MemoryNonceStore } from '@sigil/verify';
import { beforeEach, describe, expect, it } from 'vitest';
import { attackedStack, resend, signingClient } from './helpers/stack.js';

const TOLERANCE = 300;
let serverOffsetMs = 0;
const serverClock = (): number => Date.now() + serverOffsetMs;
const ctx = attackedStack({ verifier: { clock: serverClock, nonceStore: new MemoryNonceStore({ clock: serverClock }), toleranceSeconds: TOLERANCE } });

beforeEach(() => {
  serverOffsetMs = 0;
});

const serverSeconds = (): number => Math.floor(serverClock() / 1000);

describe('attack: stale timestamp', () => {
  it('a recorded request sent after the window is refused as stale, with Sigil-Server-Time', async () => {
    const client = signingClient(ctx.attacker.origin);
    expect((await client(`${ctx.attacker.origin}/v1/me`)).status).toBe(200);
    serverOffsetMs = (TOLERANCE + 2) * 1000;
    const late = await resend(ctx.stack.origin, ctx.attacker.captured[0]!);
    expect([late.status, late.body]).toEqual([401, '{"error":"timestamp_out_of_window"}']);
    expect(Math.abs(Number(late.headers['sigil-server-time']) - serverSeconds())).toBeLessThanOrEqual(1);
    expect(ctx.stack.events.map((e) => e.code ?? e.type)).toEqual(['accepted', 'timestamp_out_of_window']);
  });

  it('control: inside the window the same replay is caught by the nonce store instead', async () => {
    const client = signingClient(ctx.attacker.origin);
    expect((await client(`${ctx.attacker.origin}/v1/me`)).status).toBe(200);
    serverOffsetMs = (TOLERANCE - 5) * 1000;
    expect((await resend(ctx.stack.origin, ctx.attacker.captured[0]!)).body).toBe('{"error":"nonce_replayed"}');
  });
});

describe('attack: future timestamp', () => {
  it('a request signed an hour ahead is refused; a client allowed that correction corrects once; the future-dated copy stays refused', async () => {
    const client = signingClient(ctx.attacker.origin, { clock: () => Date.now() + 3_600_000, maxClockSkewSeconds: 7200 });
    const res = await client(`${ctx.attacker.origin}/v1/me`);
    expect(res.status).toBe(200);
    const [futureDated, corrected] = ctx.attacker.captured;
    expect(ctx.stack.events.map((e) => e.code ?? e.type)).toEqual(['timestamp_out_of_window', 'accepted']);
    expect(corrected).toBeDefined();
    // Kept for later: valid an hour from now, after its nonce would have been forgotten.
    const later = await resend(ctx.stack.origin, futureDated!);
    expect([later.status, later.body]).toEqual([401, '{"error":"timestamp_out_of_window"}']);
    expect(Number(later.headers['sigil-server-time'])).toBeGreaterThan(0);
  });

  it('by default a clock an hour off is not corrected (past maxClockSkewSeconds): its requests only fail', async () => {
    for (const offset of [3_600_000, -3_600_000]) {
      ctx.attacker.captured.length = 0;
      const client = signingClient(ctx.attacker.origin, { clock: () => Date.now() + offset });
      expect((await client(`${ctx.attacker.origin}/v1/me`)).status).toBe(401);
      expect(ctx.attacker.captured).toHaveLength(1);
    }
  });

  it('a request from a client whose clock is behind is refused the same way', async () => {
    const client = signingClient(ctx.attacker.origin, { clock: () => Date.now() - 3_600_000, maxClockSkewSeconds: 7200 });
    expect((await client(`${ctx.attacker.origin}/v1/me`)).status).toBe(200);
    expect((await resend(ctx.stack.origin, ctx.attacker.captured[0]!)).body).toBe('{"error":"timestamp_out_of_window"}');
  });
});
