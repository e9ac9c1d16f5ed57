// standardwebhooks: HMAC-SHA256 over "id.timestamp.payload" with its own
// pure-JS SHA-256 (fast-sha256). It signs the payload only: no method,
// target or headers, so the check covers the body alone. Takes the payload
// as a string, which the row prepares once.
import { Webhook } from 'standardwebhooks';
import type { Row } from '../../harness.js';
import { SECRET, type Scenario } from '../../scenarios.js';
import { checkPeer, type Variant } from './check.js';

/**
 * standardwebhooks signing the scenario's body with a fresh message id.
 *
 * @example
 * const row = standardWebhooksRow(scenario('typical'));
 */
export function standardWebhooksRow(s: Scenario): Row {
  const webhook = new Webhook(SECRET.toString('base64'));
  let counter = 0;
  const accepts = async (v: Variant): Promise<boolean> => {
    const id = 'msg_check';
    const now = new Date();
    const signature = webhook.sign(id, now, s.bodyText);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };
    webhook.verify(v.bodyText, headers);
    return true;
  };
  return {
    name: 'standardwebhooks',
    group: 'peer',
    note: 'signs id.timestamp.body only (no method/target/headers); fast-sha256 (pure JS)',
    async: false,
    check: () => checkPeer('standardwebhooks', s, accepts, ['body']),
    op: () => webhook.sign(`msg_${++counter}`, new Date(), s.bodyText),
  };
}

/**
 * standardwebhooks' verify path: `Webhook#verify` (timestamp tolerance,
 * constant-time compare) of pre-signed messages, each with its own id.
 *
 * @example
 * const row = standardWebhooksVerifyRow(scenario('typical'));
 */
export function standardWebhooksVerifyRow(s: Scenario): Row {
  const signer = standardWebhooksRow(s);
  const webhook = new Webhook(SECRET.toString('base64'));
  let queue: Array<Record<string, string>> = [];
  let next = 0;
  let counter = 0;
  return {
    name: 'standardwebhooks verify',
    group: 'peer',
    note: 'Webhook#verify of pre-signed messages (body only); no replay store',
    async: false,
    check: signer.check,
    before(n) {
      queue = [];
      for (let i = 0; i < n; i++) {
        const id = `msg_v${++counter}`;
        const now = new Date();
        queue.push({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': webhook.sign(id, now, s.bodyText) });
      }
      next = 0;
    },
    op() {
      // Throws when refused; returns the payload parsed as JSON (nothing for an empty body).
      webhook.verify(s.bodyText, queue[next++]!);
      return true;
    },
  };
}
