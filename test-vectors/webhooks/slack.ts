// Slack vectors: the documentation's worked example, then generated requests.
import { signSlackWebhook } from '../../packages/core/src/webhooks/slack.js';
import type { WebhookNegativeVector, WebhookPositiveVector } from '../../packages/core/src/webhooks/vectors.js';
import { header, hmacHex, JSON_BODY, lines, negative, NOW, positive, SLACK_SECRET, utf8, withHeader, type Delivery } from './fixtures.js';

const DOCS_URL = 'https://api.slack.com/authentication/verifying-requests-from-slack';
const scheme = 'slack' as const;
const DOCS_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

function sl(body: string, secret = SLACK_SECRET, timestamp = NOW): Delivery {
  return { headers: lines(signSlackWebhook({ timestamp, body, secret }), { 'x-slack-request-timestamp': 'X-Slack-Request-Timestamp', 'x-slack-signature': 'X-Slack-Signature' }), body: utf8(body) };
}

const ONE = sl(JSON_BODY);
const SIG = header(ONE, 'X-Slack-Signature');

export function slackPositive(): WebhookPositiveVector[] {
  const published: Delivery = {
    headers: [
      ['X-Slack-Request-Timestamp', '1531420618'],
      ['X-Slack-Signature', 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'],
    ],
    body: utf8(DOCS_BODY),
  };
  return [
    positive({ id: 'slack-published-example', title: `Slack: the documentation's worked example of a slash command (${DOCS_URL})`, source: DOCS_URL, scheme, secrets: [SLACK_SECRET], delivery: published, now: 1531420618 }),
    positive({ id: 'slack-json-body', title: 'Slack: an Events API JSON body over "v0:ts:body"', scheme, secrets: [SLACK_SECRET], delivery: ONE, now: NOW }),
    positive({ id: 'slack-rotation', title: 'Slack: the verifier holds [new, old] while Slack still signs with the old secret', scheme, secrets: ['new slack signing secret', SLACK_SECRET], delivery: ONE, now: NOW }),
  ];
}

export function slackNegative(): WebhookNegativeVector[] {
  const c = { scheme, secrets: [SLACK_SECRET], now: NOW };
  return [
    negative({ ...c, id: 'slack-tampered-body', title: 'Slack: the body changed after signing', delivery: { ...ONE, body: utf8(`${JSON_BODY}\n`) }, code: 'signature_invalid' }),
    negative({ ...c, id: 'slack-tampered-timestamp', title: 'Slack: the timestamp changed after signing', delivery: withHeader(ONE, 'X-Slack-Request-Timestamp', String(NOW + 1)), code: 'signature_invalid' }),
    negative({ ...c, id: 'slack-stale', title: 'Slack: a timestamp 301 s old', delivery: ONE, now: NOW + 301, code: 'timestamp_out_of_window' }),
    negative({ ...c, id: 'slack-future', title: 'Slack: a timestamp 301 s ahead', delivery: ONE, now: NOW - 301, code: 'timestamp_out_of_window' }),
    negative({ ...c, id: 'slack-wrong-secret', title: 'Slack: signed with another secret', delivery: sl(JSON_BODY, 'another secret'), code: 'signature_invalid' }),
    negative({ ...c, id: 'slack-unknown-version', title: 'Slack: a v1= signature (only v0 exists)', delivery: withHeader(ONE, 'X-Slack-Signature', `v1=${hmacHex(SLACK_SECRET, `v1:${NOW}:${JSON_BODY}`)}`), code: 'unsupported_version' }),
    negative({ ...c, id: 'slack-missing-signature', title: 'Slack: no X-Slack-Signature', delivery: withHeader(ONE, 'X-Slack-Signature', undefined), code: 'signature_missing' }),
    negative({ ...c, id: 'slack-missing-timestamp', title: 'Slack: no X-Slack-Request-Timestamp', delivery: withHeader(ONE, 'X-Slack-Request-Timestamp', undefined), code: 'webhook_header_missing' }),
    negative({ ...c, id: 'slack-timestamp-not-integer', title: 'Slack: a timestamp that is not integer seconds', delivery: withHeader(ONE, 'X-Slack-Request-Timestamp', '-1'), code: 'webhook_header_malformed' }),
    negative({ ...c, id: 'slack-malformed', title: 'Slack: a signature without version=', delivery: withHeader(ONE, 'X-Slack-Signature', SIG.slice(3)), code: 'signature_header_malformed' }),
  ];
}
