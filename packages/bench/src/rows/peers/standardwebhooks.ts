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
