// Deliveries captured from a real socket, verified by the Python reference
// package (test-vectors/reference/python/sigil/webhooks.py) in a python3
// child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '@sigil/core/webhooks';
import { startReceiver, type Delivery, type Receiver } from './helpers/receiver.js';
import { loopbackSender } from './helpers/sender.js';

const PYTHON_PATH = fileURLToPath(new URL('../../../test-vectors/reference/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./python/verify_deliveries.py', import.meta.url));

function verifyInPython(secrets: string[], deliveries: Delivery[]): { ok: boolean; id?: string; code?: string; secret_index?: number }[] {
  const input = JSON.stringify({
    secrets,
    deliveries: deliveries.map((d) => ({
      headers: Object.entries(d.headers).flatMap(([n, v]) => (typeof v === 'string' ? [[n, v]] : [])),
      body: d.body.toString('base64'),
    })),
  });
  const run = spawnSync('python3', [SCRIPT], { input, encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYTHON_PATH } });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line));
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver((res, _d, i) => res.writeHead(i === 1 ? 503 : 204).end());
});
afterAll(() => receiver.close());

describe('the Python reference verifies deliveries of the TS sender', () => {
  it('every delivery, a retry and a two-secret rotation included; a wrong secret is signature_invalid', async () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const { sender } = loopbackSender({ secrets: [oldSecret, newSecret] });
    const first = await sender.send(receiver.url, { type: 'a.b', payload: { text: 'héllo ✓', n: [1, 2] } });
    const second = await sender.send(receiver.url, { id: 'evt_2', type: 'c.d', payload: null });
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(receiver.deliveries).toHaveLength(3);
    expect(verifyInPython([newSecret], receiver.deliveries)).toEqual([
      { ok: true, id: first.id, secret_index: 0 },
      { ok: true, id: 'evt_2', secret_index: 0 },
      { ok: true, id: 'evt_2', secret_index: 0 },
    ]);
    expect(verifyInPython([oldSecret], receiver.deliveries).every((r) => r.ok)).toBe(true);
    expect(verifyInPython([generateWebhookSecret()], receiver.deliveries).map((r) => r.code)).toEqual(['signature_invalid', 'signature_invalid', 'signature_invalid']);
  });
});
