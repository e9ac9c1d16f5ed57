// GitHub vectors: the documentation's test values, then generated deliveries.
import { signGithubWebhook } from '../../packages/core/src/webhooks/github.js';
import type { WebhookNegativeVector, WebhookPositiveVector } from '../../packages/core/src/webhooks/vectors.js';
import { BINARY_BODY, GITHUB_SECRET, header, hmacHex, JSON_BODY, negative, NOW, positive, utf8, withHeader, withLine, type Delivery } from './fixtures.js';

const DOCS_URL = 'https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries';
const scheme = 'github' as const;
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function gh(body: Uint8Array | string, secret = GITHUB_SECRET): Delivery {
  const bytes = typeof body === 'string' ? utf8(body) : body;
  return {
    headers: [
      ['X-GitHub-Event', 'push'],
      ['X-GitHub-Delivery', DELIVERY],
      ['X-Hub-Signature-256', signGithubWebhook({ body: bytes, secret })['x-hub-signature-256']],
    ],
    body: bytes,
  };
}

const ONE = gh(JSON_BODY);
const SIG = header(ONE, 'X-Hub-Signature-256');

export function githubPositive(): WebhookPositiveVector[] {
  const c = { scheme, secrets: [GITHUB_SECRET], now: NOW };
  const published: Delivery = {
    headers: [['X-Hub-Signature-256', 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17']],
    body: utf8('Hello, World!'),
  };
  return [
    positive({ id: 'github-published-example', title: `GitHub: the documentation's test values, secret "It's a Secret to Everybody", payload "Hello, World!" (${DOCS_URL})`, source: DOCS_URL, scheme, secrets: ["It's a Secret to Everybody"], delivery: published, now: NOW }),
    positive({ ...c, id: 'github-json-body', title: 'GitHub: a JSON body and a non-ASCII secret (UTF-8), with X-GitHub-Delivery (reported, not signed)', delivery: ONE }),
    positive({ ...c, id: 'github-binary-body', title: 'GitHub: a body that is not UTF-8 is MACed as raw bytes', delivery: gh(BINARY_BODY) }),
    positive({ ...c, id: 'github-no-delivery-id', title: 'GitHub: no X-GitHub-Delivery (optional)', delivery: withHeader(ONE, 'X-GitHub-Delivery', undefined) }),
    positive({ ...c, id: 'github-rotation', title: 'GitHub: the verifier holds [new, old] while the hook still signs with the old secret', secrets: ['the new github secret', GITHUB_SECRET], delivery: ONE }),
    positive({ ...c, id: 'github-no-clock', title: 'GitHub: no timestamp is signed, so the clock does not matter (replay is bounded by retention only)', delivery: ONE, now: 0 }),
  ];
}

export function githubNegative(): WebhookNegativeVector[] {
  const c = { scheme, secrets: [GITHUB_SECRET], now: NOW };
  return [
    negative({ ...c, id: 'github-tampered-body', title: 'GitHub: the body changed after signing', delivery: { ...ONE, body: utf8(JSON_BODY.toUpperCase()) }, code: 'signature_invalid' }),
    negative({ ...c, id: 'github-wrong-secret', title: 'GitHub: signed with another secret', delivery: gh(JSON_BODY, 'another secret'), code: 'signature_invalid' }),
    negative({ ...c, id: 'github-sha1-only', title: 'GitHub: X-Hub-Signature-256 carrying sha1= (not the accepted algorithm)', delivery: withHeader(ONE, 'X-Hub-Signature-256', `sha1=${hmacHex(GITHUB_SECRET, JSON_BODY).slice(0, 40)}`), code: 'unsupported_version' }),
    negative({ ...c, id: 'github-legacy-header-only', title: 'GitHub: only the legacy SHA-1 X-Hub-Signature header', delivery: withLine(withHeader(ONE, 'X-Hub-Signature-256', undefined), 'X-Hub-Signature', `sha1=${'0'.repeat(40)}`), code: 'signature_missing' }),
    negative({ ...c, id: 'github-no-prefix', title: 'GitHub: the hex without sha256=', delivery: withHeader(ONE, 'X-Hub-Signature-256', SIG.slice(7)), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'github-uppercase-hex', title: 'GitHub: uppercase hex', delivery: withHeader(ONE, 'X-Hub-Signature-256', `sha256=${SIG.slice(7).toUpperCase()}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'github-two-lines', title: 'GitHub: two X-Hub-Signature-256 field lines', delivery: withLine(ONE, 'X-Hub-Signature-256', SIG), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'github-bad-delivery-id', title: 'GitHub: an X-GitHub-Delivery with a space', delivery: withHeader(ONE, 'X-GitHub-Delivery', 'a b'), code: 'webhook_header_malformed' }),
  ];
}
